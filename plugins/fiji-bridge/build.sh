#!/usr/bin/env bash
# Build the pixframework Fiji/ImageJ bridge from Debian packages only (no Maven):
#
#   bash plugins/fiji-bridge/build.sh
#
# Needs: default-jdk-headless libgrpc-java libprotobuf-java protobuf-compiler
#        protobuf-compiler-grpc-java-plugin imagej libnetty-java
#        libgeronimo-annotation-1.3-spec-java libperfmark-java
#        (and libjarjar-java for the single shaded jar)
#
# Produces, under plugins/fiji-bridge/build/:
#   pixframework_bridge.jar      the plugin (commands + Java stubs generated from protos/pixframework/v1)
#   lib/*.jar                    the runtime dependencies (gRPC, Netty, protobuf, Guava, ...)
#   classpath.txt                those dependencies as one class path (':'-separated)
#   pixframework_bridge-all.jar  plugin and dependencies in one jar, the dependencies moved to
#                                org.pixframework.shaded.* so they cannot clash with Fiji's own
#                                Guava/protobuf/gRPC (only when libjarjar-java is installed)
#   test-classes/                the test driver used by tests/test_fiji_bridge.py
#
# JAVA_JARS overrides where the dependency jars are looked up (default /usr/share/java).
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
jars="${JAVA_JARS:-/usr/share/java}"
final="$here/build"

# Runtime dependencies of a grpc-java client (grpc-java 1.41 as packaged by Debian 12).
runtime=(grpc-api grpc-core grpc-netty grpc-stub grpc-protobuf grpc-protobuf-lite grpc-context
         protobuf guava opencensus-api opencensus-contrib-grpc-metrics perfmark-api
         netty-buffer netty-codec netty-codec-http netty-codec-http2 netty-codec-socks netty-common
         netty-handler netty-handler-proxy netty-resolver netty-transport)
# Needed to compile only: ImageJ itself (Fiji provides it) and javax.annotation.Generated.
compile_only=(ij geronimo-annotation-1.3-spec)
# Packages moved under org.pixframework.shaded in the single jar.
relocated=(com.google io.grpc io.netty io.perfmark io.opencensus)

check_tools() {
  local missing=() name tool
  for name in "${runtime[@]}" "${compile_only[@]}"; do
    [[ -f "$jars/$name.jar" ]] || missing+=("$jars/$name.jar")
  done
  for tool in protoc javac jar unzip flock; do
    command -v "$tool" >/dev/null || missing+=("$tool (command)")
  done
  grpc_plugin="$(command -v grpc_java_plugin || command -v protoc-gen-grpc-java || true)"
  [[ -n "$grpc_plugin" ]] || missing+=("grpc_java_plugin (command)")
  if (( ${#missing[@]} )); then
    echo "build.sh: missing: ${missing[*]}" >&2
    echo "install: apt-get install default-jdk-headless libgrpc-java libprotobuf-java protobuf-compiler \\" >&2
    echo "  protobuf-compiler-grpc-java-plugin imagej libnetty-java libgeronimo-annotation-1.3-spec-java libperfmark-java" >&2
    exit 2
  fi
}

# Plugin jar, dependency jars and test classes into $build.
build_plugin() {
  mkdir -p "$build/gen" "$build/classes" "$build/test-classes" "$build/lib"
  # Versioned copies (not symlinks), so build/lib can be copied into ImageJ as is.
  lib_jars=()
  local name real
  for name in "${runtime[@]}"; do
    real="$(readlink -f "$jars/$name.jar")"
    cp "$real" "$build/lib/"
    lib_jars+=("$build/lib/$(basename "$real")")
  done
  local compile_cp
  compile_cp="$(IFS=:; echo "${lib_jars[*]}"):$jars/ij.jar:$jars/geronimo-annotation-1.3-spec.jar"

  # Java messages and stubs come from the protos at build time; none are written by hand.
  protoc -I "$repo/protos" --java_out="$build/gen" \
    --plugin=protoc-gen-grpc-java="$grpc_plugin" --grpc-java_out="$build/gen" \
    "$repo"/protos/pixframework/v1/*.proto

  # Java 8 bytecode: Fiji still ships a Java 8 runtime in many installations.
  local javac_flags=(--release 8 -encoding UTF-8 -nowarn -Xlint:-options)
  find "$build/gen" "$here/src/main/java" -name '*.java' > "$build/sources.txt"
  javac "${javac_flags[@]}" -cp "$compile_cp" -d "$build/classes" @"$build/sources.txt"
  cp "$here/plugins.config" "$build/classes/plugins.config"
  jar cf "$build/pixframework_bridge.jar" -C "$build/classes" .

  find "$here/src/test/java" -name '*.java' > "$build/test-sources.txt"
  javac "${javac_flags[@]}" -cp "$compile_cp:$build/pixframework_bridge.jar" -d "$build/test-classes" \
    @"$build/test-sources.txt"
}

# One self-contained jar for Fiji: merge everything, then relocate the dependencies' packages.
build_shaded_jar() {
  local jarjar="$jars/jarjar.jar" shade="$build/shade" j service name package
  if [[ ! -f "$jarjar" ]]; then
    echo "no $jarjar (apt-get install libjarjar-java): skipped pixframework_bridge-all.jar"
    return
  fi
  mkdir -p "$shade/merged" "$shade/services/META-INF/services"
  for j in "${lib_jars[@]}" "$build/pixframework_bridge.jar"; do
    rm -rf "$shade/one" && mkdir "$shade/one"
    (cd "$shade/one" && unzip -qo "$j")
    # Service registrations of several jars may share a file name: concatenate, do not overwrite.
    if [[ -d "$shade/one/META-INF/services" ]]; then
      for service in "$shade/one/META-INF/services"/*; do
        cat "$service" >> "$shade/services/$(basename "$service")"
        echo >> "$shade/services/$(basename "$service")"
      done
    fi
    rm -rf "$shade/one/META-INF" "$shade/one/module-info.class"  # manifests, signatures, services (merged above)
    cp -r "$shade/one/." "$shade/merged/"
  done
  : > "$shade/rules.txt"
  for package in "${relocated[@]}"; do
    echo "rule $package.** org.pixframework.shaded.$package.@1" >> "$shade/rules.txt"
  done
  jar cf "$shade/merged.jar" -C "$shade/merged" .
  java -jar "$jarjar" process "$shade/rules.txt" "$shade/merged.jar" "$build/pixframework_bridge-all.jar"
  # jarjar moves classes but not META-INF/services: rename those files and the class names inside them.
  local pattern="^($(IFS='|'; echo "${relocated[*]//./\\.}"))\\."
  for service in "$shade/services"/*; do
    [[ -f "$service" ]] || continue
    name="$(basename "$service" | sed -E "s/$pattern/org.pixframework.shaded.\\1./")"
    grep -v '^[[:space:]]*\(#\|$\)' "$service" | sed -E "s/$pattern/org.pixframework.shaded.\\1./" \
      > "$shade/services/META-INF/services/$name"
  done
  jar uf "$build/pixframework_bridge-all.jar" -C "$shade/services" META-INF/services
  rm -rf "$shade"
}

main() {
  check_tools
  # One build at a time (tests may start one while someone builds by hand); a caller may hold the lock.
  if [[ -z "${PIXF_FIJI_BUILD_LOCKED:-}" ]]; then
    exec 9> "$here/.build.lock"
    flock 9
  fi
  # Build next to the old output and swap it in at the end, so nobody sees half a build.
  build="$(mktemp -d "$here/.build-XXXXXX")"
  chmod 755 "$build"
  trap 'rm -rf "$build"' EXIT
  build_plugin
  build_shaded_jar
  (IFS=:; echo "${lib_jars[*]}") | sed "s#$build#$final#g" > "$build/classpath.txt"
  rm -rf "$final.old"
  if [[ -d "$final" ]]; then mv "$final" "$final.old"; fi
  mv "$build" "$final"
  rm -rf "$final.old"
  trap - EXIT
  echo "built $final/pixframework_bridge.jar ($(ls "$final/lib" | wc -l) dependency jars in $final/lib)"
  if [[ -f "$final/pixframework_bridge-all.jar" ]]; then
    echo "built $final/pixframework_bridge-all.jar (dependencies relocated under org.pixframework.shaded)"
  fi
}

main "$@"
