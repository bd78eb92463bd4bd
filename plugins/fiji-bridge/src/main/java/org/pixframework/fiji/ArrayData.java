package org.pixframework.fiji;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * An array as it crosses the wire: element type, shape (outermost first), optional axis letters and the
 * raw little-endian bytes in C order (see protos/pixframework/v1/arrays.proto).
 */
public final class ArrayData {
    private final String dtype;
    private final long[] shape;
    private final String axes;
    private final byte[] bytes;

    /**
     * @throws BridgeException unknown dtype, or a byte count other than product(shape) * itemsize
     */
    public ArrayData(String dtype, long[] shape, String axes, byte[] bytes) {
        long expected = byteCount(dtype, shape);
        if (bytes.length != expected) {
            throw new BridgeException("Input", "array of dtype " + dtype + " and shape " + Arrays.toString(shape)
                    + " needs " + expected + " bytes, got " + bytes.length);
        }
        this.dtype = dtype;
        this.shape = shape.clone();
        this.axes = axes == null ? "" : axes;
        this.bytes = bytes;
    }

    /** Bytes per element of a wire dtype ("uint8", "float32", ...). */
    public static int itemSize(String dtype) {
        switch (dtype) {
            case "bool":
            case "uint8":
            case "int8":
                return 1;
            case "uint16":
            case "int16":
                return 2;
            case "uint32":
            case "int32":
            case "float32":
                return 4;
            case "uint64":
            case "int64":
            case "float64":
                return 8;
            default:
                throw new BridgeException("Input", "unknown array dtype '" + dtype + "'");
        }
    }

    /** product(shape) * itemsize(dtype), checked against overflow and negative sizes. */
    public static long byteCount(String dtype, long[] shape) {
        long count = itemSize(dtype);
        for (long size : shape) {
            if (size < 0) {
                throw new BridgeException("Input", "negative size in shape " + Arrays.toString(shape));
            }
            count = Math.multiplyExact(count, size);
        }
        return count;
    }

    /** A little-endian buffer of {@code count} elements of {@code itemSize} bytes, to fill and wrap. */
    static ByteBuffer allocate(long count, int itemSize, String what) {
        long total = count * itemSize;
        if (total > Integer.MAX_VALUE - 8) {
            throw BridgeException.input(what + " has " + total + " bytes, more than one Java array holds (2 GiB); "
                    + "work on a smaller region");
        }
        return ByteBuffer.allocate((int) total).order(ByteOrder.LITTLE_ENDIAN);
    }

    public String dtype() {
        return dtype;
    }

    /** Shape, outermost dimension first. */
    public long[] shape() {
        return shape.clone();
    }

    /** Axis letters from "zyxc", one per dimension, or "" when not given. */
    public String axes() {
        return axes;
    }

    /** The raw bytes (little-endian, C order); not copied. */
    public byte[] bytes() {
        return bytes;
    }

    public long elementCount() {
        return bytes.length / itemSize(dtype);
    }

    /** All elements as float, in C order (integer types converted exactly up to 2^24). */
    public float[] toFloats() {
        ByteBuffer buffer = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        int n = (int) elementCount();
        float[] out = new float[n];
        if ("float32".equals(dtype)) {
            buffer.asFloatBuffer().get(out);
            return out;
        }
        int step = itemSize(dtype);
        for (int i = 0; i < n; i++) {
            out[i] = (float) read(buffer, i * step);
        }
        return out;
    }

    /** All elements as int, in C order; only for integer dtypes of at most 32 bits. */
    public int[] toInts() {
        ByteBuffer buffer = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        int n = (int) elementCount();
        int[] out = new int[n];
        int step = itemSize(dtype);
        if (dtype.startsWith("float") || "uint32".equals(dtype) || step == 8) {
            throw BridgeException.input("cannot read " + dtype + " values as labels or classes");
        }
        for (int i = 0; i < n; i++) {
            out[i] = (int) read(buffer, i * step);
        }
        return out;
    }

    private double read(ByteBuffer buffer, int at) {
        switch (dtype) {
            case "bool":
            case "uint8":
                return buffer.get(at) & 0xff;
            case "int8":
                return buffer.get(at);
            case "uint16":
                return buffer.getShort(at) & 0xffff;
            case "int16":
                return buffer.getShort(at);
            case "uint32":
                return buffer.getInt(at) & 0xffffffffL;
            case "int32":
                return buffer.getInt(at);
            case "uint64":
            case "int64":
                return buffer.getLong(at);
            case "float32":
                return buffer.getFloat(at);
            case "float64":
                return buffer.getDouble(at);
            default:
                throw new BridgeException("Input", "unknown array dtype '" + dtype + "'");
        }
    }
}
