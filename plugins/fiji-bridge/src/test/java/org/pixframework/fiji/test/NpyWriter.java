package org.pixframework.fiji.test;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** Writes arrays as .npy files (format version 1.0, little-endian, C order) for the Python side to load. */
final class NpyWriter {
    private NpyWriter() {
    }

    /**
     * @param descr numpy type string, e.g. "|u1", "&lt;u2", "&lt;f4"
     * @param shape dimensions, outermost first
     * @param data  the raw little-endian bytes in C order
     */
    static void write(Path path, String descr, long[] shape, byte[] data) throws IOException {
        StringBuilder dims = new StringBuilder();
        for (long s : shape) {
            dims.append(s).append(", ");
        }
        if (shape.length > 1) {
            dims.setLength(dims.length() - 2);
        }
        String dict = "{'descr': '" + descr + "', 'fortran_order': False, 'shape': (" + dims + "), }";
        int unpadded = 10 + dict.length() + 1;
        int padding = (64 - unpadded % 64) % 64;
        StringBuilder header = new StringBuilder(dict);
        for (int i = 0; i < padding; i++) {
            header.append(' ');
        }
        header.append('\n');
        byte[] headerBytes = header.toString().getBytes(StandardCharsets.US_ASCII);
        try (OutputStream out = Files.newOutputStream(path)) {
            out.write(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0});
            out.write(headerBytes.length & 0xff);
            out.write(headerBytes.length >> 8);
            out.write(headerBytes);
            out.write(data);
        }
    }
}
