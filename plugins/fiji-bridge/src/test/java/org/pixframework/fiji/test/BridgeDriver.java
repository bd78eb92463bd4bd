package org.pixframework.fiji.test;

import ij.IJ;
import ij.ImagePlus;
import ij.ImageStack;
import ij.Macro;
import ij.WindowManager;
import ij.gui.Line;
import ij.gui.OvalRoi;
import ij.gui.Overlay;
import ij.gui.PointRoi;
import ij.gui.Roi;
import ij.macro.Interpreter;
import ij.plugin.PlugIn;
import ij.process.ByteProcessor;
import ij.process.ColorProcessor;
import ij.process.FloatProcessor;
import ij.process.ShortProcessor;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import org.pixframework.fiji.AddImageCommand;
import org.pixframework.fiji.ArrayData;
import org.pixframework.fiji.BridgeCommand;
import org.pixframework.fiji.BridgeState;
import org.pixframework.fiji.CloseCommand;
import org.pixframework.fiji.ConnectCommand;
import org.pixframework.fiji.PredictCommand;
import org.pixframework.fiji.ProjectCommand;
import org.pixframework.fiji.SendRoisCommand;
import org.pixframework.fiji.TrainCommand;

/**
 * Drives the bridge's ImageJ commands the way a macro does (macro options, no dialogs, headless) against
 * a real server, and writes what came back as .npy files for tests/test_fiji_bridge.py to compare with
 * the Python client.
 *
 * <p>Arguments: server address, address of a second server that requires a token, that token, and a
 * work directory holding coins.tif and rois.txt (lines "class x y width height"; the first line is the
 * prediction box, named "box"). Exit status 0 when every step behaved, 1 otherwise.</p>
 */
public final class BridgeDriver {
    /** Slices of the 3D test stack. */
    private static final int DEPTH = 40;
    private final Path work;
    private final List<String> errors = new ArrayList<>();

    private BridgeDriver(Path work) {
        this.work = work;
    }

    public static void main(String[] args) throws IOException {
        Thread.currentThread().setName("Run$_bridge-driver");  // where ImageJ looks up macro options
        Interpreter.batchMode = true;  // results are kept as batch-mode images instead of windows
        BridgeDriver driver = new BridgeDriver(Paths.get(args[3]));
        try {
            driver.workflow(args[0]);
            driver.shapes3d(args[0]);
            driver.pixelTypes(args[0]);
            driver.failures(args[0], args[1], args[2]);
        } catch (AssertionError e) {
            System.err.println("DRIVER FAILED: " + e.getMessage());
            System.exit(1);
        }
        System.out.println("DRIVER OK");
        System.exit(0);
    }

    /** Train on ROIs of coins.tif, predict a box, the whole image and an image outside the project. */
    private void workflow(String server) throws IOException {
        ImagePlus coins = IJ.openImage(work.resolve("coins.tif").toString());
        check(coins != null, "ImageJ could not open coins.tif");
        coins.show();
        run(new ConnectCommand(), "server=" + server);
        run(new ProjectCommand(), "project=fiji.pixf mode=replace");
        run(new AddImageCommand(), "name=coins");

        List<String> lines = Files.readAllLines(work.resolve("rois.txt"), StandardCharsets.UTF_8);
        Roi box = rectangle(lines.get(0));
        Overlay overlay = new Overlay();
        for (String line : lines.subList(1, lines.size() - 1)) {
            overlay.add(rectangle(line));
        }
        coins.setOverlay(overlay);
        run(new SendRoisCommand(), "source=overlay");
        String last = lines.get(lines.size() - 1);  // sent as the selection with an explicit class
        coins.setRoi(rectangle(last));
        run(new SendRoisCommand(), "class=" + last.split(" ")[0] + " source=selection");
        coins.deleteRoi();
        coins.setOverlay(null);
        ArrayData labels = BridgeState.project("", "", "").labels("coins");
        save("labels.npy", labels);

        record("predict_before_train", expectFailure(new PredictCommand(), "output=segmentation"));
        run(new TrainCommand(), "");

        coins.setRoi(box);
        run(new PredictCommand(), "output=both");
        ImagePlus segmentation = take("coins segmentation");
        ImagePlus probabilities = take("coins probabilities");
        coins.deleteRoi();
        saveImage("box_segmentation.npy", segmentation);
        saveImage("box_probabilities.npy", probabilities);
        StringBuilder names = new StringBuilder();
        for (int i = 1; i <= probabilities.getStackSize(); i++) {
            names.append(probabilities.getStack().getSliceLabel(i)).append('\n');
        }
        Files.write(work.resolve("class_names.txt"), names.toString().getBytes(StandardCharsets.UTF_8));

        WindowManager.setTempCurrentImage(coins);
        run(new PredictCommand(), "output=segmentation");
        saveImage("whole_segmentation.npy", take("coins segmentation"));

        // An image that is not in the project: uploaded for the prediction only, then removed again.
        ImagePlus flipped = coins.duplicate();
        flipped.setTitle("flipped.tif");
        flipped.getProcessor().flipVertical();
        flipped.show();
        int imagesBefore = BridgeState.project("", "", "").imageNames().size();
        run(new PredictCommand(), "output=segmentation");
        saveImage("flipped_segmentation.npy", take("flipped segmentation"));
        check(BridgeState.project("", "", "").imageNames().size() == imagesBefore,
                "the temporary upload stayed in the project");

        record("outside_data_root", expectFailure(new ProjectCommand(), "project=../outside.pixf mode=create"));
        record("unknown_option", expectFailure(new PredictCommand(), "outputs=segmentation"));
        run(new CloseCommand(), "");
    }

    /** A stack with an oval (slice 1), points (slice 2) and a wide line (last slice), sent as labels. */
    private void shapes3d(String server) throws IOException {
        ImageStack stack = new ImageStack(64, 64);
        for (int z = 0; z < DEPTH; z++) {  // deep enough for the default features' largest 3D scale
            ByteProcessor plane = new ByteProcessor(64, 64);
            plane.setColor(5 * (z + 1));
            plane.fill();
            stack.addSlice(plane);
        }
        ImagePlus volume = new ImagePlus("volume", stack);
        volume.show();
        Overlay overlay = new Overlay();
        Roi oval = new OvalRoi(10, 12, 20, 14);
        oval.setName("a");
        oval.setPosition(1);
        overlay.add(oval);
        Line line = new Line(5, 50, 45, 50);
        line.setStrokeWidth(5);
        line.setName("b");
        line.setPosition(DEPTH);
        overlay.add(line);
        PointRoi points = new PointRoi(new int[] {40, 41}, new int[] {20, 22}, 2);
        points.setName("a");
        points.setPosition(2);
        overlay.add(points);
        volume.setOverlay(overlay);
        run(new ProjectCommand(), "server=" + server + " project=shapes.pixf mode=replace");
        run(new SendRoisCommand(), "source=overlay");
        save("shapes_labels.npy", BridgeState.project("", "", "").labels("volume"));
        // A 3D prediction: probabilities come back as a hyperstack, one channel per class.
        run(new TrainCommand(), "");
        run(new PredictCommand(), "output=both");
        ImagePlus segmentation = take("volume segmentation");
        ImagePlus probabilities = take("volume probabilities");
        check(probabilities.getNChannels() == 2 && probabilities.getNSlices() == DEPTH,
                "3D probabilities should have 2 channels x " + DEPTH + " slices, got "
                        + probabilities.getNChannels() + " x "
                        + probabilities.getNSlices());
        saveImage("volume_segmentation.npy", segmentation);
        saveImage("volume_probabilities.npy", probabilities);
        run(new CloseCommand(), "");
    }

    /** Upload 16-bit, 32-bit, RGB and a 2-channel 3-slice hyperstack; tests read them back in Python. */
    private void pixelTypes(String server) {
        ShortProcessor g16 = new ShortProcessor(40, 30);
        FloatProcessor f32 = new FloatProcessor(40, 30);
        ColorProcessor rgb = new ColorProcessor(40, 30);
        for (int y = 0; y < 30; y++) {
            for (int x = 0; x < 40; x++) {
                g16.set(x, y, 3 * x + 1000 * y);
                f32.setf(x, y, 0.5f * x - 0.25f * y);
                rgb.set(x, y, (5 * x) << 16 | (7 * y) << 8 | 200);
            }
        }
        ImageStack planes = new ImageStack(40, 30);
        for (int z = 0; z < 3; z++) {
            for (int c = 0; c < 2; c++) {  // ImageJ's order: channels vary fastest
                ByteProcessor plane = new ByteProcessor(40, 30);
                for (int y = 0; y < 30; y++) {
                    for (int x = 0; x < 40; x++) {
                        plane.set(x, y, x + y + 60 * z + 5 * c);
                    }
                }
                planes.addSlice(plane);
            }
        }
        ImagePlus hyper = new ImagePlus("hyper", planes);
        hyper.setDimensions(2, 3, 1);
        run(new ProjectCommand(), "server=" + server + " project=grey.pixf mode=replace");
        add(new ImagePlus("g16", g16));
        add(new ImagePlus("f32", f32));
        run(new ProjectCommand(), "server=" + server + " project=rgb.pixf mode=replace");
        add(new ImagePlus("rgb", rgb));
        run(new ProjectCommand(), "server=" + server + " project=hyper.pixf mode=replace");
        add(hyper);
        run(new CloseCommand(), "");
    }

    private static void add(ImagePlus imp) {
        imp.show();
        run(new AddImageCommand(), "");
    }

    /** Errors the user must see as clear messages: wrong or missing token, no server. */
    private void failures(String server, String authServer, String token) throws IOException {
        record("wrong_token", expectFailure(new ConnectCommand(), "server=" + authServer + " token=wrong"));
        record("no_token", expectFailure(new ConnectCommand(), "server=" + authServer));
        run(new ConnectCommand(), "server=" + authServer + " token=" + token);
        record("no_server", expectFailure(new ConnectCommand(), "server=127.0.0.1:1 timeout=2"));
        record("no_project", expectFailure(new TrainCommand(), "server=" + server + " project=missing.pixf"));
        Files.write(work.resolve("errors.tsv"), String.join("\n", errors).getBytes(StandardCharsets.UTF_8));
    }

    // ------------------------------------------------------------------ helpers

    private static Roi rectangle(String line) {
        String[] f = line.trim().split("\\s+");
        Roi roi = new Roi(Integer.parseInt(f[1]), Integer.parseInt(f[2]), Integer.parseInt(f[3]),
                Integer.parseInt(f[4]));
        roi.setName(f[0]);
        return roi;
    }

    /** Run a command with macro options; it must not fail. */
    private static void run(PlugIn command, String options) {
        check(succeeds(command, options),
                command.getClass().getSimpleName() + " '" + options + "' failed: " + BridgeCommand.lastError());
    }

    /** Run a command that must fail; returns the message the user saw. */
    private static String expectFailure(PlugIn command, String options) {
        int before = BridgeCommand.errorCount();
        invoke(command, options);
        check(BridgeCommand.errorCount() == before + 1,
                command.getClass().getSimpleName() + " '" + options + "' should have failed");
        return BridgeCommand.lastError();
    }

    /** Run a command as a macro line does; the calling thread's name must start with "Run$_". */
    static void invoke(PlugIn command, String options) {
        Macro.setOptions(Thread.currentThread(), options.isEmpty() ? " " : options);
        try {
            command.run("");
        } finally {
            Macro.setOptions(Thread.currentThread(), null);
        }
    }

    /** {@link #invoke}, returning whether the command succeeded. */
    static boolean succeeds(PlugIn command, String options) {
        int before = BridgeCommand.errorCount();
        invoke(command, options);
        return BridgeCommand.errorCount() == before;
    }

    private void record(String name, String message) {
        errors.add(name + "\t" + message.replace('\n', ' ').replace('\t', ' '));
    }

    /** The result image called {@code title}, removed from ImageJ's list so the next one is found. */
    private static ImagePlus take(String title) {
        ImagePlus imp = WindowManager.getImage(title);
        check(imp != null, "no image called '" + title + "' was shown");
        Interpreter.removeBatchModeImage(imp);
        return imp;
    }

    private static void check(boolean ok, String message) {
        if (!ok) {
            throw new AssertionError(message);
        }
    }

    private void save(String name, ArrayData array) throws IOException {
        String descr = "uint16".equals(array.dtype()) ? "<u2" : "uint8".equals(array.dtype()) ? "|u1" : "<f4";
        NpyWriter.write(work.resolve(name), descr, array.shape(), array.bytes());
    }

    /** An ImageJ image as (slices, height, width): 8-bit as uint8, 32-bit as float32. */
    private void saveImage(String name, ImagePlus imp) throws IOException {
        int n = imp.getStackSize();
        int w = imp.getWidth();
        int h = imp.getHeight();
        boolean bytes = imp.getBitDepth() == 8;
        ByteBuffer out = ByteBuffer.allocate(n * w * h * (bytes ? 1 : 4)).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 1; i <= n; i++) {
            Object pixels = imp.getStack().getPixels(i);
            if (bytes) {
                out.put((byte[]) pixels);
            } else {
                for (float v : (float[]) pixels) {
                    out.putFloat(v);
                }
            }
        }
        NpyWriter.write(work.resolve(name), bytes ? "|u1" : "<f4", new long[] {n, h, w}, out.array());
    }
}
