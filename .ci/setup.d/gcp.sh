# Sourced by .ci/run. Checks that java and the Cloud Firestore and Pub/Sub
# emulators of the Google Cloud SDK are installed, the peers of the Google
# Cloud target's end-to-end tests, and exports where they are. The tests
# start and stop the emulators themselves; with CI set they fail rather
# than skip when one is missing, and so does this script, loudly.
gcp_sdk="${CLOUDSDK_ROOT_DIR:-/usr/lib/google-cloud-sdk}"
export UNUMC_FIRESTORE_EMULATOR_JAR="${UNUMC_FIRESTORE_EMULATOR_JAR:-$gcp_sdk/platform/cloud-firestore-emulator/cloud-firestore-emulator.jar}"
if [ -z "${UNUMC_PUBSUB_EMULATOR_JAR:-}" ]; then
	UNUMC_PUBSUB_EMULATOR_JAR="$(ls "$gcp_sdk"/platform/pubsub-emulator/lib/cloud-pubsub-emulator-*-all.jar 2>/dev/null | tail -n 1)"
fi
export UNUMC_PUBSUB_EMULATOR_JAR
gcp_missing=()
command -v java >/dev/null || gcp_missing+=("java (Java 17 or later)")
[ -f "$UNUMC_FIRESTORE_EMULATOR_JAR" ] || gcp_missing+=("the Firestore emulator at ${UNUMC_FIRESTORE_EMULATOR_JAR} (apt-get install google-cloud-cli-firestore-emulator)")
[ -n "$UNUMC_PUBSUB_EMULATOR_JAR" ] && [ -f "$UNUMC_PUBSUB_EMULATOR_JAR" ] ||
	gcp_missing+=("the Pub/Sub emulator under $gcp_sdk/platform/pubsub-emulator/lib (apt-get install google-cloud-cli-pubsub-emulator)")
if [ ${#gcp_missing[@]} -gt 0 ]; then
	for m in "${gcp_missing[@]}"; do echo "gcp.sh: missing $m" >&2; done
	echo "gcp.sh: the Google Cloud target's tests need these; set UNUMC_FIRESTORE_EMULATOR_JAR and UNUMC_PUBSUB_EMULATOR_JAR if they are elsewhere" >&2
	exit 1
fi
echo "gcp emulators: $UNUMC_FIRESTORE_EMULATOR_JAR, $UNUMC_PUBSUB_EMULATOR_JAR ($(java -version 2>&1 | head -n 1))"
