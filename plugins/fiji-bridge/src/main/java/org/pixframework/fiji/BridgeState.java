package org.pixframework.fiji;

import ij.IJ;
import ij.ImagePlus;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.pixframework.v1.ImageInfo;

/**
 * What the commands share inside one ImageJ: the connection, the open project and which ImageJ image is
 * which project image. Each macro call may name its server and project; a call naming the ones already
 * open reuses them. Open projects are saved and closed when ImageJ exits.
 */
public final class BridgeState {
    /** Address used when none was ever given. */
    public static final String DEFAULT_SERVER = "127.0.0.1:50051";
    /** Environment variable read for the token when none is given (as in the Python client). */
    public static final String TOKEN_ENV = "PIXF_TOKEN";
    private static final long CONNECT_TIMEOUT_SECONDS = 10;

    private static BridgeClient client;
    private static String lastServer = "";
    private static String clientToken = "";
    private static ProjectSession project;
    /** (server address | project path) -> (ImagePlus id -> project image name). */
    private static final Map<String, Map<Integer, String>> IMAGES = new HashMap<>();
    private static boolean hookInstalled;

    private BridgeState() {
    }

    /** Address of the current connection, or "" when not connected. */
    public static synchronized String server() {
        return client == null ? "" : client.address();
    }

    /** Address to offer in dialogs: the current connection, else the last one, else {@value #DEFAULT_SERVER}. */
    public static synchronized String defaultServer() {
        return client != null ? client.address() : lastServer.isEmpty() ? DEFAULT_SERVER : lastServer;
    }

    /** Path of the current project, or "" when none is open. */
    public static synchronized String projectPath() {
        return project == null ? "" : project.path();
    }

    /**
     * Connect to a server (replacing the current connection; its project is saved and closed).
     *
     * @param token   bearer token; null or "" for none (then {@value #TOKEN_ENV} is used if set)
     * @param tls     see {@link BridgeClient#connect}
     * @param timeout seconds to wait for the server (0: the default of 10 s)
     */
    public static synchronized BridgeClient connect(String address, String token, String tls, long timeout) {
        String effectiveToken = token == null || token.isEmpty() ? envToken() : token;
        BridgeClient fresh = BridgeClient.connect(address, effectiveToken, tls,
                timeout > 0 ? timeout : CONNECT_TIMEOUT_SECONDS);
        disconnect();
        client = fresh;
        clientToken = effectiveToken;
        lastServer = fresh.address();
        installShutdownHook();
        return client;
    }

    /**
     * The connection to {@code address}: the current one when it matches (or when {@code address} is
     * empty), else a new one with {@code token} (or the current token, or {@value #TOKEN_ENV}).
     */
    public static synchronized BridgeClient client(String address, String token) {
        boolean sameServer = client != null
                && (address == null || address.isEmpty() || address.equals(client.address()));
        if (sameServer && (token == null || token.isEmpty() || token.equals(clientToken))) {
            return client;
        }
        if (address == null || address.isEmpty()) {
            if (client == null) {
                throw BridgeException.input(
                        "not connected: run 'pixframework Connect' first, or give server=host:port");
            }
            address = client.address();
        }
        return connect(address, token == null || token.isEmpty() ? clientToken : token, "", 0);
    }

    /**
     * The open project at {@code path} on {@code address}: the current one when both match (empty means
     * "the current one"), else that project opened in a new session.
     */
    public static synchronized ProjectSession project(String address, String path, String token) {
        BridgeClient c = client(address, token);
        boolean openOne = path == null || path.isEmpty() || (project != null && samePath(path, project.path()));
        if (project != null && project.client() == c && openOne) {
            return project;
        }
        if (path == null || path.isEmpty()) {
            throw BridgeException.input("no project open: run 'pixframework Project' first, or give project=<path>");
        }
        try {
            return replaceProject(c.openProject(path));
        } catch (BridgeException e) {
            if ("NotFound".equals(e.kind())) {
                throw new BridgeException("NotFound",
                        e.getMessage() + " (create it with 'pixframework Project', mode=create)");
            }
            throw e;
        }
    }

    /**
     * Open or create a project on the current connection.
     *
     * @param mode "open", "create", "replace" (create over an existing one) or "open_or_create"
     */
    public static synchronized ProjectSession openProject(String address, String token, String path, String mode) {
        BridgeClient c = client(address, token);
        if (path == null || path.isEmpty()) {
            throw BridgeException.input(
                    "no project path given (relative to the server's data root, e.g. lab/cells.pixf)");
        }
        ProjectSession opened;
        switch (mode) {
            case "create":
                opened = c.createProject(path, false);
                break;
            case "replace":
                opened = c.createProject(path, true);
                break;
            case "open":
                opened = c.openProject(path);
                break;
            default:
                try {
                    opened = c.openProject(path);
                } catch (BridgeException e) {
                    if (!"NotFound".equals(e.kind())) {
                        throw e;
                    }
                    opened = c.createProject(path, false);
                }
        }
        return replaceProject(opened);
    }

    private static ProjectSession replaceProject(ProjectSession opened) {
        closeProject(true);
        project = opened;
        return project;
    }

    /** Save and close the current project's session (if any). */
    public static synchronized void closeProject(boolean save) {
        if (project != null) {
            ProjectSession old = project;
            project = null;
            old.close(save);
        }
    }

    /** Close the project (saving it) and the connection. */
    public static synchronized void disconnect() {
        try {
            closeProject(true);
        } finally {
            if (client != null) {
                client.close();
                client = null;
                clientToken = "";
            }
        }
    }

    /**
     * The project image that {@code imp} is: the one it was added as, else one with the same name (title
     * without extension) and the same size, channels and pixel type; null when there is none.
     */
    public static synchronized String findImage(ProjectSession session, ImagePlus imp) {
        Map<Integer, String> known = IMAGES.computeIfAbsent(key(session), k -> new HashMap<>());
        List<String> names = session.imageNames();
        String name = known.get(imp.getID());
        if (name != null && names.contains(name)) {
            return name;
        }
        String candidate = nameFor(imp);
        if (names.contains(candidate) && sameLayout(session.imageInfo(candidate), imp)) {
            known.put(imp.getID(), candidate);
            return candidate;
        }
        return null;
    }

    /** Remember that {@code imp} is project image {@code name}. */
    public static synchronized void rememberImage(ProjectSession session, ImagePlus imp, String name) {
        IMAGES.computeIfAbsent(key(session), k -> new HashMap<>()).put(imp.getID(), name);
    }

    /**
     * Upload {@code imp} as a new project image and remember it.
     *
     * @param name name in the project; null or "" for its title without extension (made unique with -2, -3...)
     */
    public static synchronized String addImage(ProjectSession session, ImagePlus imp, String name) {
        if (name == null || name.isEmpty()) {
            List<String> taken = session.imageNames();
            String stem = nameFor(imp);
            name = stem;
            for (int n = 2; taken.contains(name); n++) {
                name = stem + "-" + n;
            }
        }
        String added = session.uploadImage(ImageArrays.pixels(imp), name);
        rememberImage(session, imp, added);
        return added;
    }

    /** The project image name for an ImageJ image: its title without a file extension. */
    public static String nameFor(ImagePlus imp) {
        String title = imp.getTitle().trim();
        String stem = title.replaceFirst("\\.[A-Za-z0-9]{1,5}$", "");
        return stem.isEmpty() ? title : stem;
    }

    private static boolean sameLayout(ImageInfo info, ImagePlus imp) {
        long[] spatial = ImageArrays.spatialShape(imp);
        long[] expected = Arrays.copyOf(spatial, spatial.length + 1);
        expected[spatial.length] = ImageArrays.channelCount(imp);
        long[] actual = new long[info.getShapeCount()];
        for (int i = 0; i < actual.length; i++) {
            actual[i] = info.getShape(i);
        }
        return Arrays.equals(expected, actual) && ImageArrays.dtype(imp).equals(info.getDtype());
    }

    private static String key(ProjectSession session) {
        return session.client().address() + "|" + session.path();
    }

    private static boolean samePath(String given, String open) {
        String a = given.replace('\\', '/').replaceAll("/+$", "");
        String b = open.replace('\\', '/').replaceAll("/+$", "");
        return a.equals(b) || (a + ".pixf").equals(b);  // anything else: open it again (cheap, same project)
    }

    /** Read a token file (one word, surrounding whitespace ignored), as 'pixf serve --token-file' does. */
    public static String readTokenFile(String path) {
        try {
            String token = new String(Files.readAllBytes(Paths.get(path)), StandardCharsets.UTF_8).trim();
            if (token.isEmpty()) {
                throw BridgeException.input("token file " + path + " is empty");
            }
            return token;
        } catch (IOException e) {
            throw BridgeException.input("cannot read token file " + path + ": " + e.getMessage());
        }
    }

    private static String envToken() {
        String token = System.getenv(TOKEN_ENV);
        return token == null ? "" : token.trim();
    }

    private static void installShutdownHook() {
        if (hookInstalled) {
            return;
        }
        hookInstalled = true;
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                disconnect();
            } catch (RuntimeException e) {
                IJ.log("pixframework: could not close the project on exit: " + e.getMessage());
            }
        }, "pixframework-close"));
    }
}
