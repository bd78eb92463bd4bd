#!/usr/bin/env bash
# Build the pixframework Fiji/ImageJ bridge from Debian packages only (no Maven):
#
#   bash plugins/fiji-bridge/build.sh
#
# Needs: default-jdk-headless libgrpc-java libprotobuf-java protobuf-compiler
#        protobuf-compiler-grpc-java-plugin imagej libnetty-java
#        libgeronimo-annotation-1.3-spec-java libperfmark-java
#
# Produces, under plugins/fiji-bridge/build/:
#   pixframework_bridge.jar   the plugin (commands + Java stubs generated from protos/pixframework/v1)
#   lib/*.jar                 the runtime dependencies (gRPC, Netty, protobuf, Guava, ...)
#   classpath.txt             those dependencies as one class path (':'-separated)
#   test-classes/             the test driver used by tests/test_fiji_bridge.py
#
# JAVA_JARS overrides where the dependency jars are looked up (default /usr/share/java).
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
jars="${JAVA_JARS:-/usr/share/java}"
build="$here/build"

# Runtime dependencies of a grpc-java client (grpc-java 1.41 as packaged by Debian 12).
runtime=(grpc-api grpc-core grpc-netty grpc-stub grpc-protobuf grpc-protobuf-lite grpc-context
         protobuf guava opencensus-api opencensus-contrib-grpc-metrics perfmark-api
         netty-buffer netty-codec netty-codec-http netty-codec-http2 netty-codec-socks netty-common
         netty-handler netty-handler-proxy netty-resolver netty-transport)
# Needed to compile only: ImageJ itself (Fiji provides it) and javax.annotation.Generated.
compile_only=(ij geronimo-annotation-1.3-spec)

missing=()
for name in "${runtime[@]}" "${compile_only[@]}"; do
  [[ -f "$jars/$name.jar" ]] || missing+=("$jars/$name.jar")
done
for tool in protoc javac jar; do
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

rm -rf "$build"
mkdir -p "$build/gen" "$build/classes" "$build/test-classes" "$build/lib"

# Versioned copies (not symlinks), so build/lib can be copied into Fiji as is.
lib_cp=()
for name in "${runtime[@]}"; do
  real="$(readlink -f "$jars/$name.jar")"
  cp "$real" "$build/lib/"
  lib_cp+=("$build/lib/$(basename "$real")")
done
(IFS=:; echo "${lib_cp[*]}") > "$build/classpath.txt"
compile_cp="$(IFS=:; echo "${lib_cp[*]}"):$jars/ij.jar:$jars/geronimo-annotation-1.3-spec.jar"

# Java messages and stubs come from the protos at build time; none are written by hand.
protoc -I "$repo/protos" --java_out="$build/gen" \
  --plugin=protoc-gen-grpc-java="$grpc_plugin" --grpc-java_out="$build/gen" \
  "$repo"/protos/pixframework/v1/*.proto

# Java 8 bytecode: Fiji still ships a Java 8 runtime in many installations.
javac_flags=(--release 8 -encoding UTF-8 -nowarn -Xlint:-options)
find "$build/gen" "$here/src/main/java" -name '*.java' > "$build/sources.txt"
javac "${javac_flags[@]}" -cp "$compile_cp" -d "$build/classes" @"$build/sources.txt"
cp "$here/plugins.config" "$build/classes/plugins.config"
jar cf "$build/pixframework_bridge.jar" -C "$build/classes" .

find "$here/src/test/java" -name '*.java' > "$build/test-sources.txt"
javac "${javac_flags[@]}" -cp "$compile_cp:$build/pixframework_bridge.jar" -d "$build/test-classes" @"$build/test-sources.txt"

echo "built $build/pixframework_bridge.jar ($(ls "$build/lib" | wc -l) dependency jars in $build/lib)"
