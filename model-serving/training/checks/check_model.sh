#!/bin/sh
# Runs CheckModel.java (tokenizer parity with DJL + ONNX Runtime numerics) without Maven.
# usage: check_model.sh MODEL_DIR VERIFY_DIR      (VERIFY_DIR from export_model.py --verify-out)
# Jars are taken from the local Maven repository (~/.m2), which the project build fills.
set -e
R="${M2_REPO:-$HOME/.m2/repository}"
CP="$R/com/microsoft/onnxruntime/onnxruntime/1.28.0/onnxruntime-1.28.0.jar"
CP="$CP:$R/ai/djl/huggingface/tokenizers/0.38.0/tokenizers-0.38.0.jar:$R/ai/djl/api/0.38.0/api-0.38.0.jar"
CP="$CP:$R/org/slf4j/slf4j-api/2.0.17/slf4j-api-2.0.17.jar:$R/com/google/code/gson/gson/2.13.1/gson-2.13.1.jar"
CP="$CP:$R/net/java/dev/jna/jna/5.17.0/jna-5.17.0.jar"
TMP="$(mktemp -d)"
DJL_CACHE_DIR="$TMP/djl" java -Djna.tmpdir="$TMP/jna" -Dai.djl.offline=true -Djava.io.tmpdir="$TMP" \
  -cp "$CP" "$(dirname "$0")/CheckModel.java" "$1" "$2"
rc=$?
rm -rf "$TMP"
exit $rc
