package org.pixframework.fiji;

import ij.ImagePlus;
import ij.gui.Overlay;
import ij.gui.Roi;
import ij.plugin.frame.RoiManager;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.pixframework.v1.LabelClass;

/**
 * Plugins > pixframework > Send ROIs: label the pixels of ROIs of the current image on the server.
 * Every ROI labels the pixels inside it with one class: the class given in the dialog, or, with the class
 * left empty, the class named like the ROI (so the ROI Manager or the overlay can carry several classes).
 * Missing classes are created. The ROIs come from the selection, the overlay or the ROI Manager.
 * Macro: {@code run("pixframework Send ROIs", "server=... project=... class=[] source=overlay")}.
 */
public class SendRoisCommand extends BridgeCommand {
    static final String[] SOURCES = {"auto", "selection", "overlay", "manager"};
    /** Names the ROI Manager invents from coordinates ("0123-0456"): not class names. */
    private static final Pattern AUTOMATIC_NAME = Pattern.compile("\\d{4}-\\d{4}(-\\d{4}){0,2}");

    @Override
    protected String name() {
        return "pixframework Send ROIs";
    }

    @Override
    protected void execute(CommandForm form) {
        ImagePlus imp = currentImage();
        CommandForm.Field[] context = contextFields(form);
        CommandForm.Field className = form.text("class", "class (empty: each ROI's name)", "");
        CommandForm.Field source = form.choice("source", "source of ROIs", SOURCES, "auto");
        CommandForm.Field clear = form.check("clear", "clear this image's labels first", false);
        if (!form.show()) {
            return;
        }
        ProjectSession session = projectOf(form, context);
        List<Roi> rois = collect(imp, source.value());
        List<String> names = new ArrayList<>();
        for (Roi roi : rois) {
            names.add(classNameOf(roi, className.value()));
        }
        String image = BridgeState.findImage(session, imp);
        if (image == null) {
            image = BridgeState.addImage(session, imp, "");
            log("added '" + imp.getTitle() + "' to " + session.path() + " as image '" + image + "'");
        }
        Map<String, Integer> classes = ensureClasses(session, names);
        boolean spatial3d = imp.getNSlices() > 1;
        List<RoiLabels.ClassRoi> labelled = new ArrayList<>();
        for (int i = 0; i < rois.size(); i++) {
            int z = spatial3d ? planeOf(imp, rois.get(i), "selection".equals(source.value())) : 0;
            labelled.add(new RoiLabels.ClassRoi(rois.get(i), classes.get(names.get(i)), z));
        }
        RoiLabels.Patch patch = RoiLabels.rasterize(labelled, imp.getWidth(), imp.getHeight(), imp.getNSlices(),
                spatial3d, classes.size());
        if (clear.checked()) {
            session.clearLabels(image, null);
        }
        session.setLabels(image, patch.labels, patch.offset);
        StringBuilder counts = new StringBuilder();
        for (Map.Entry<String, Integer> c : classes.entrySet()) {
            long n = patch.pixelsPerClass[c.getValue()];
            if (n > 0) {
                counts.append(counts.length() == 0 ? "" : ", ").append(c.getKey()).append(": ").append(n);
            }
        }
        log("sent " + rois.size() + " ROI(s) of '" + imp.getTitle() + "' as labels of image '" + image
                + "' (pixels per class: " + counts + ")");
    }

    /** The ROIs of {@code source} ("auto": the ROI Manager, else the overlay, else the selection). */
    static List<Roi> collect(ImagePlus imp, String source) {
        List<Roi> rois = new ArrayList<>();
        if ("manager".equals(source) || "auto".equals(source)) {
            RoiManager manager = roiManager();
            if (manager != null) {
                for (Roi roi : manager.getRoisAsArray()) {
                    rois.add(roi);
                }
            }
            if ("manager".equals(source) && rois.isEmpty()) {
                throw BridgeException.input("the ROI Manager is empty or not open");
            }
        }
        if ("overlay".equals(source) || ("auto".equals(source) && rois.isEmpty())) {
            Overlay overlay = imp.getOverlay();
            if (overlay != null) {
                for (Roi roi : overlay.toArray()) {
                    rois.add(roi);
                }
            }
            if ("overlay".equals(source) && rois.isEmpty()) {
                throw BridgeException.input("'" + imp.getTitle() + "' has no overlay ROIs");
            }
        }
        if ("selection".equals(source) || ("auto".equals(source) && rois.isEmpty())) {
            Roi roi = imp.getRoi();
            if (roi == null) {
                throw BridgeException.input("'" + imp.getTitle() + "' has no selection"
                        + ("auto".equals(source) ? ", no overlay and the ROI Manager is empty" : "")
                        + "; draw ROIs first");
            }
            rois.add(roi);
        }
        return rois;
    }

    /** The ROI Manager if one is open (never creates one: that needs a screen). */
    private static RoiManager roiManager() {
        try {
            return RoiManager.getInstance2();
        } catch (RuntimeException | LinkageError e) {
            return null;  // headless ImageJ: no ROI Manager at all
        }
    }

    private static String classNameOf(Roi roi, String given) {
        if (!given.isEmpty()) {
            return given;
        }
        String name = roi.getName();
        if (name == null || name.trim().isEmpty()) {
            throw BridgeException.input("a ROI has no name, so its class is unknown: name the ROIs after their "
                    + "classes (ROI Manager > Rename, or Roi.setName in macros), or give class=<name>");
        }
        if (AUTOMATIC_NAME.matcher(name).matches()) {
            throw BridgeException.input("ROI '" + name + "' has the ROI Manager's automatic name, not a class name: "
                    + "rename the ROIs after their classes, or give class=<name>");
        }
        return name.trim();
    }

    /** Class indices by name, adding the classes the project does not have yet (in order of appearance). */
    private static Map<String, Integer> ensureClasses(ProjectSession session, List<String> wanted) {
        Map<String, Integer> classes = new LinkedHashMap<>();
        for (LabelClass c : session.classes()) {
            classes.put(c.getName(), c.getIndex());
        }
        for (String name : wanted) {
            if (!classes.containsKey(name)) {
                int index = session.addClass(name, null);
                classes.put(name, index);
                log("created class '" + name + "' (label " + index + ")");
            }
        }
        return classes;
    }

    /** 0-based z plane of a ROI in a stack: its own position when it has one, else the current slice. */
    private static int planeOf(ImagePlus imp, Roi roi, boolean isSelection) {
        if (!isSelection) {
            if (roi.getZPosition() > 0) {
                return roi.getZPosition() - 1;
            }
            if (roi.getPosition() > 0) {
                return imp.convertIndexToPosition(roi.getPosition())[1] - 1;
            }
        }
        return imp.getZ() - 1;
    }
}
