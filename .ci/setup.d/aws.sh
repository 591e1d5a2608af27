# Sourced by .ci/run. Installs dynalite, the DynamoDB protocol peer of the AWS
# target's end-to-end tests, outside the repository, and exports its path in
# UNUMC_DYNALITE. With CI set, the tests fail rather than skip without it.
dynalite_version=4.0.0
dynalite_prefix="${TMPDIR:-/tmp}/unumc-dynalite-$dynalite_version"
if [ ! -f "$dynalite_prefix/node_modules/dynalite/cli.js" ]; then
	command -v npm >/dev/null || { echo "aws.sh: npm is not installed; the AWS target's tests need it for dynalite" >&2; exit 1; }
	npm install --no-audit --no-fund --silent --prefix "$dynalite_prefix" "dynalite@$dynalite_version" >&2 ||
		{ echo "aws.sh: npm install dynalite@$dynalite_version failed" >&2; exit 1; }
fi
export UNUMC_DYNALITE="$dynalite_prefix/node_modules/dynalite/cli.js"
node "$UNUMC_DYNALITE" --help >/dev/null ||
	{ echo "aws.sh: $UNUMC_DYNALITE does not run under node" >&2; exit 1; }
echo "dynalite $dynalite_version: $UNUMC_DYNALITE"
