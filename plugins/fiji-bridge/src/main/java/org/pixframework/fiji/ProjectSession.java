package org.pixframework.fiji;

import io.grpc.Context;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.function.Function;
import org.pixframework.v1.AddClassRequest;
import org.pixframework.v1.CancelTrainingRequest;
import org.pixframework.v1.ClassRef;
import org.pixframework.v1.ClearLabelsRequest;
import org.pixframework.v1.CloseSessionRequest;
import org.pixframework.v1.CopyMode;
import org.pixframework.v1.ExportRequest;
import org.pixframework.v1.GetLabelsRequest;
import org.pixframework.v1.ImageInfo;
import org.pixframework.v1.GetImageInfoRequest;
import org.pixframework.v1.GetSummaryRequest;
import org.pixframework.v1.GetTrainingStateRequest;
import org.pixframework.v1.LabelClass;
import org.pixframework.v1.ListClassesRequest;
import org.pixframework.v1.ListImagesRequest;
import org.pixframework.v1.Output;
import org.pixframework.v1.PredictRequest;
import org.pixframework.v1.Region;
import org.pixframework.v1.SessionInfo;
import org.pixframework.v1.RemoveImageRequest;
import org.pixframework.v1.SaveProjectRequest;
import org.pixframework.v1.SetLabelsRequest;
import org.pixframework.v1.TrainRequest;
import org.pixframework.v1.TrainResponse;
import org.pixframework.v1.UndoRequest;
import org.pixframework.v1.UploadImageRequest;
import org.pixframework.v1.WatchRequest;
import org.pixframework.v1.WatchResponse;

/**
 * A project open in a session on the server: the operations the ImageJ commands need. A session that
 * the server closed after being idle is reopened once, transparently, on the next call.
 */
public final class ProjectSession {
    private final BridgeClient client;
    private final String path;
    private volatile String sessionId;

    ProjectSession(BridgeClient client, SessionInfo info) {
        this.client = client;
        this.path = info.getPath();
        this.sessionId = info.getSessionId();
    }

    /** Project path relative to the server's data root, as the server reports it. */
    public String path() {
        return path;
    }

    public String sessionId() {
        return sessionId;
    }

    public BridgeClient client() {
        return client;
    }

    /** Run a call with the session id; reopen the project once if the server forgot the session. */
    private <T> T call(Function<String, T> call) {
        try {
            return client.call(() -> call.apply(sessionId));
        } catch (BridgeException e) {
            if (!"NotFound".equals(e.kind()) || !e.getMessage().startsWith("unknown session")) {
                throw e;
            }
            sessionId = client.reopen(path).getSessionId();
            return client.call(() -> call.apply(sessionId));
        }
    }

    // ------------------------------------------------------------------ images

    /**
     * Upload pixels as a new image of the project (copied into it).
     *
     * @param pixels array with axes letters from "zyxc" (e.g. "zcyx" for an ImageJ stack)
     * @param name   name in the project; null or "" for one chosen by the server
     * @return the name the image got
     */
    public String uploadImage(ArrayData pixels, String name) {
        return call(sid -> ArrayStreams.send(client.imagesAsync::uploadImage, pixels.bytes(), client.chunkBytes(),
                piece -> UploadImageRequest.newBuilder().setSessionId(sid).setName(name == null ? "" : name)
                        .setAxes(pixels.axes()).setHeader(ArrayStreams.header(pixels))
                        .setCopy(CopyMode.COPY_MODE_INTO_PROJECT).setData(piece).build(),
                piece -> UploadImageRequest.newBuilder().setData(piece).build())).getName();
    }

    /** Image names in the order they were added. */
    public List<String> imageNames() {
        return call(sid -> client.images.listImages(ListImagesRequest.newBuilder().setSessionId(sid).build()))
                .getImagesList();
    }

    /** Canonical shape ((z)yxc), axes and dtype of a project image. */
    public ImageInfo imageInfo(String image) {
        return call(sid -> client.images.getImageInfo(
                GetImageInfoRequest.newBuilder().setSessionId(sid).setImage(image).build())).getInfo();
    }

    public void removeImage(String image) {
        call(sid -> client.images.removeImage(RemoveImageRequest.newBuilder().setSessionId(sid).setImage(image).build()));
    }

    // ------------------------------------------------------------------ classes and labels

    /** Label classes in index order (index 1..C). */
    public List<LabelClass> classes() {
        return call(sid -> client.labels.listClasses(ListClassesRequest.newBuilder().setSessionId(sid).build()))
                .getClassesList();
    }

    /** Add a class; {@code color} "#rrggbb" or null for the next palette colour. Returns its index. */
    public int addClass(String name, String color) {
        return call(sid -> client.labels.addClass(AddClassRequest.newBuilder().setSessionId(sid).setName(name)
                .setColor(color == null ? "" : color).build())).getIndex();
    }

    /**
     * Write the non-zero values of a label array (spatial axes (z)yx, values 0..C) at {@code offset}
     * ((z)yx, pixels); zeros keep the labels already there.
     */
    public void setLabels(String image, ArrayData labels, long[] offset) {
        call(sid -> ArrayStreams.send(client.labelsAsync::setLabels, labels.bytes(), client.chunkBytes(),
                piece -> {
                    SetLabelsRequest.Builder first = SetLabelsRequest.newBuilder().setSessionId(sid).setImage(image)
                            .setHeader(ArrayStreams.header(labels)).setData(piece);
                    for (long o : offset) {
                        first.addOffset(o);
                    }
                    return first.build();
                },
                piece -> SetLabelsRequest.newBuilder().setData(piece).build()));
    }

    /** Remove the labels of an image: all of them ({@code className} null) or those of one class. */
    public void clearLabels(String image, String className) {
        ClearLabelsRequest.Builder request = ClearLabelsRequest.newBuilder().setImage(image);
        if (className != null) {
            request.setClassRef(ClassRef.newBuilder().setName(className));
        }
        call(sid -> client.labels.clearLabels(request.setSessionId(sid).build()));
    }

    /** Labels of an image over its spatial axes ((z)yx): 0 unlabelled, else class index. */
    public ArrayData labels(String image) {
        return call(sid -> ArrayStreams.receive(ArrayStreams.chunks(client.labels.getLabels(
                GetLabelsRequest.newBuilder().setSessionId(sid).setImage(image).build()), m -> m.getChunk()),
                "labels"));
    }

    // ------------------------------------------------------------------ training and prediction

    /** Receives training progress. */
    public interface TrainingListener {
        /**
         * @param fraction 0..1
         * @param message  what the server is doing
         * @return false to cancel the training
         */
        boolean progress(double fraction, String message);
    }

    /**
     * Train the project's classifier on the labels of all its images.
     *
     * @return the training summary as the server's JSON text
     */
    public String train(TrainingListener listener) {
        return call(sid -> {
            Context.CancellableContext context = Context.current().withCancellation();
            Context previous = context.attach();
            try {
                Iterator<TrainResponse> updates = client.training.train(
                        TrainRequest.newBuilder().setSessionId(sid).build());
                while (updates.hasNext()) {
                    TrainResponse update = updates.next();
                    if (update.getDone()) {
                        return update.getSummaryJson();
                    }
                    if (listener != null && !listener.progress(update.getFraction(), update.getMessage())) {
                        client.training.cancelTraining(CancelTrainingRequest.newBuilder().setSessionId(sid).build());
                    }
                }
                throw new BridgeException("Protocol", "the training stream ended without a result");
            } finally {
                context.detach(previous);
                context.cancel(null);
            }
        });
    }

    public boolean isTrained() {
        return call(sid -> client.training.getTrainingState(
                GetTrainingStateRequest.newBuilder().setSessionId(sid).build())).getIsTrained();
    }

    /**
     * Predict a box of an image.
     *
     * @param start first pixel of the box per spatial axis ((z)yx), or null for the whole image
     * @param stop  end (exclusive) of the box per spatial axis
     * @return probabilities float32 (*box, C), segmentation (*box) with values 1..C, or uncertainty (*box, 1)
     */
    public ArrayData predict(String image, long[] start, long[] stop, Output output) {
        PredictRequest.Builder request = PredictRequest.newBuilder().setImage(image).setOutput(output);
        if (start != null) {
            request.setRegion(region(start, stop));
        }
        return call(sid -> {
            String what = output.name().substring("OUTPUT_".length()).toLowerCase() + " prediction";
            return ArrayStreams.receive(ArrayStreams.chunks(client.prediction.predict(request.setSessionId(sid).build()),
                    m -> m.getChunk()), what);
        });
    }

    /**
     * Predict a whole image and write it to a file on the server.
     *
     * @param path   relative to the server's data root; may use {dataset_dir}, {nickname}, {result_type}
     * @param format format plugin name, or "" to choose by suffix
     * @param dtype  output element type, or "" for the default
     * @return the path written, relative to the data root
     */
    public String export(String image, String path, Output output, String format, String dtype) {
        return call(sid -> client.prediction.export(ExportRequest.newBuilder().setSessionId(sid).setImage(image)
                .setPath(path).setOutput(output).setFormat(format).setDtype(dtype).build())).getPath();
    }

    // ------------------------------------------------------------------ events and undo

    /**
     * The project's changes as the server commits them (strokes, classes, images, trainings of every
     * client), from now on; the first message confirms the watch is registered. Iterating blocks until
     * the next change; heartbeats (no event) arrive when nothing changed for a while.
     */
    public Iterator<WatchResponse> watch() {
        return call(sid -> client.events.watch(WatchRequest.newBuilder().setSessionId(sid).build()));
    }

    /** Undo this session's latest label edit on the server; returns the pixels restored (0: none left). */
    public long undo() {
        return call(sid -> client.labels.undo(UndoRequest.newBuilder().setSessionId(sid).build())).getPixels();
    }

    // ------------------------------------------------------------------ lifecycle

    /** Save the project on the server (atomic). */
    public void save() {
        call(sid -> client.sessions.saveProject(SaveProjectRequest.newBuilder().setSessionId(sid).build()));
    }

    /** The project summary (images, classes, label counts, classifier, trained) as the server's JSON text. */
    public String summaryJson() {
        return call(sid -> client.sessions.getSummary(GetSummaryRequest.newBuilder().setSessionId(sid).build()))
                .getJson();
    }

    /** End the session; the server saves (if {@code save}) and closes the project when no other session holds it. */
    public void close(boolean save) {
        try {
            client.call(() -> client.sessions.closeSession(
                    CloseSessionRequest.newBuilder().setSessionId(sessionId).setSave(save).build()));
        } catch (BridgeException e) {
            if (!"NotFound".equals(e.kind())) {
                throw e;  // an expired session needs no closing
            }
        }
    }

    private static Region region(long[] start, long[] stop) {
        Region.Builder region = Region.newBuilder();
        for (int i = 0; i < start.length; i++) {
            region.addStart(start[i]).addStop(stop[i]);
        }
        return region.build();
    }

    /** Class names in index order (element i is the name of class i + 1). */
    public List<String> classNames() {
        List<String> names = new ArrayList<>();
        for (LabelClass c : classes()) {
            names.add(c.getName());
        }
        return names;
    }
}
