package org.pixframework.fiji;

import com.google.protobuf.ByteString;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.grpc.stub.StreamObserver;
import java.util.Arrays;
import java.util.Iterator;
import java.util.concurrent.CountDownLatch;
import java.util.function.Function;
import org.pixframework.v1.ArrayChunk;
import org.pixframework.v1.ArrayHeader;

/** Arrays in chunks: assembling a server stream, and sending a client stream with flow control. */
final class ArrayStreams {
    private ArrayStreams() {
    }

    /** The wire header of {@code array} (dtype, shape; axes left to the request). */
    static ArrayHeader header(ArrayData array) {
        ArrayHeader.Builder header = ArrayHeader.newBuilder().setDtype(array.dtype());
        for (long size : array.shape()) {
            header.addShape(size);
        }
        return header.build();
    }

    /** The {@link ArrayChunk}s a server stream of responses carries (each response holds one). */
    static <M> Iterator<ArrayChunk> chunks(Iterator<M> responses, Function<M, ArrayChunk> chunk) {
        return new Iterator<ArrayChunk>() {
            @Override
            public boolean hasNext() {
                return responses.hasNext();
            }

            @Override
            public ArrayChunk next() {
                return chunk.apply(responses.next());
            }
        };
    }

    /**
     * Read a server stream of {@link ArrayChunk}s into one array, checking the header, the order of the
     * chunks and the total byte count.
     *
     * @param what named in error messages ("prediction", "labels")
     */
    static ArrayData receive(Iterator<ArrayChunk> chunks, String what) {
        if (!chunks.hasNext()) {
            throw new BridgeException("Protocol", "the server sent no data for the " + what);
        }
        ArrayChunk first = chunks.next();
        if (!first.hasHeader()) {
            throw new BridgeException("Protocol", "the " + what + " stream did not start with an array header");
        }
        ArrayHeader header = first.getHeader();
        long[] shape = new long[header.getShapeCount()];
        for (int i = 0; i < shape.length; i++) {
            shape[i] = header.getShape(i);
        }
        long total = ArrayData.byteCount(header.getDtype(), shape);
        byte[] bytes = ArrayData.allocate(total, 1, "the " + what).array();
        long received = 0;
        ArrayChunk chunk = first;
        while (true) {
            if (chunk.getOffset() != received) {
                throw new BridgeException("Protocol", "the " + what + " arrived out of order (chunk at byte "
                        + chunk.getOffset() + ", expected " + received + ")");
            }
            int length = chunk.getData().size();
            if (received + length > total) {
                throw new BridgeException("Protocol", "the " + what + " has more bytes than its shape "
                        + Arrays.toString(shape) + " allows");
            }
            chunk.getData().copyTo(bytes, (int) received);
            received += length;
            if (!chunks.hasNext()) {
                break;
            }
            chunk = chunks.next();
        }
        if (received != total) {
            throw new BridgeException("Protocol", "the " + what + " stream ended after " + received + " of "
                    + total + " bytes");
        }
        return new ArrayData(header.getDtype(), shape, header.getAxes(), bytes);
    }

    /**
     * Send {@code bytes} as a client stream: {@code first(piece)} builds the first message (with the
     * request's header fields), {@code next(piece)} every later one. Waits for the transport to be ready
     * before each message, so a large image is not queued in memory twice.
     *
     * @param start      opens the call (e.g. {@code responses -> stub.uploadImage(responses)})
     * @param chunkBytes bytes per message
     * @return the server's single response
     * @throws StatusRuntimeException when the server fails the call
     */
    static <Req, Resp> Resp send(Function<StreamObserver<Resp>, StreamObserver<Req>> start, byte[] bytes,
                                 int chunkBytes, Function<ByteString, Req> first, Function<ByteString, Req> next) {
        Upload<Req, Resp> upload = new Upload<>();
        start.apply(upload);
        try {
            int offset = 0;
            do {
                int length = Math.min(chunkBytes, bytes.length - offset);
                ByteString piece = ByteString.copyFrom(bytes, offset, length);
                upload.awaitReady();
                if (upload.failed()) {
                    break;  // the server already answered with an error; it is raised below
                }
                upload.requests.onNext(offset == 0 ? first.apply(piece) : next.apply(piece));
                offset += length;
            } while (offset < bytes.length);
            upload.requests.onCompleted();
        } catch (InterruptedException e) {
            upload.requests.cancel("interrupted", e);
            Thread.currentThread().interrupt();
            throw new BridgeException("Cancelled", "sending data to the server was interrupted");
        }
        return upload.result();
    }

    /** Response side of a client-streaming call plus the ready signal of its request side. */
    private static final class Upload<Req, Resp> implements ClientResponseObserver<Req, Resp> {
        private final CountDownLatch done = new CountDownLatch(1);
        private final Object readyLock = new Object();
        private ClientCallStreamObserver<Req> requests;
        private volatile Resp response;
        private volatile Throwable error;

        @Override
        public void beforeStart(ClientCallStreamObserver<Req> requestStream) {
            requests = requestStream;
            requestStream.setOnReadyHandler(() -> {
                synchronized (readyLock) {
                    readyLock.notifyAll();
                }
            });
        }

        void awaitReady() throws InterruptedException {
            synchronized (readyLock) {
                while (!requests.isReady() && done.getCount() > 0) {
                    readyLock.wait(100);
                }
            }
        }

        boolean failed() {
            return error != null;
        }

        @Override
        public void onNext(Resp value) {
            response = value;
        }

        @Override
        public void onError(Throwable t) {
            error = t;
            done.countDown();
            synchronized (readyLock) {
                readyLock.notifyAll();
            }
        }

        @Override
        public void onCompleted() {
            done.countDown();
        }

        Resp result() {
            try {
                done.await();
            } catch (InterruptedException e) {
                requests.cancel("interrupted", e);
                Thread.currentThread().interrupt();
                throw new BridgeException("Cancelled", "waiting for the server was interrupted");
            }
            if (error instanceof StatusRuntimeException) {
                throw (StatusRuntimeException) error;
            }
            if (error != null) {
                throw io.grpc.Status.fromThrowable(error).asRuntimeException();
            }
            if (response == null) {
                throw new BridgeException("Protocol", "the server closed the upload without an answer");
            }
            return response;
        }
    }
}
