#!/bin/sh
# Bowsprit's entrypoint (PROW-REFERENCE 3.4). place-entrypoint copies this script into the
# tools volume; the test container runs it with the job's command as arguments.
#
# It runs "$@" with its output teed to the process log, enforces the timeout (interrupt,
# grace period, kill), forwards its own SIGTERM/SIGINT the same way, and writes the exit
# code atomically to the marker file sidecar waits for: the command's code, 127 after a
# timeout, 130 after an abort.
#
# Plain POSIX sh (dash, busybox ash): job images need neither Python nor bash. Options come
# from ENTRYPOINT_OPTIONS, the flat JSON plank writes (durations in nanoseconds).
set -u

INTERNAL=127
ABORTED=130

option() {
	# Plank writes `args` first and every scalar after it, so the last match of a key is
	# the option itself even when an argument happens to contain the same text.
	printf '%s' "${ENTRYPOINT_OPTIONS:-}" | sed -n "s/.*\"$1\"[[:space:]]*:[[:space:]]*\"\{0,1\}\([^\",} ]*\).*/\1/p"
}

timeout_ns=$(option timeout)
grace_ns=$(option grace_period)
log=$(option process_log)
marker=$(option marker_file)
artifacts=$(option artifact_dir)
timeout_ns=${timeout_ns:-7200000000000}
grace_ns=${grace_ns:-15000000000}
log=${log:-/logs/process-log.txt}
marker=${marker:-/logs/marker-file.txt}
artifacts=${artifacts:-/logs/artifacts}

say() {
	printf 'entrypoint: %s\n' "$1" | tee -a "$log" >&2
}

record() {
	# Write to a temporary name and rename: sidecar never reads half a marker.
	printf '%s' "$1" >"$marker.tmp" && mv -f "$marker.tmp" "$marker"
	exit "$1"
}

seconds() {
	printf '%d.%09d' $(($1 / 1000000000)) $(($1 % 1000000000))
}

after() {
	# Run "$2..." once $1 nanoseconds have passed, in the background; TERM cancels it.
	delay=$1
	shift
	(
		trap 'kill "$sleeper" 2>/dev/null; exit 0' TERM
		sleep "$(seconds "$delay")" &
		sleeper=$!
		wait "$sleeper" && "$@"
	) >/dev/null 2>&1 &
}

interrupt() {
	# SIGINT, as Prow sends; but sh starts background commands with SIGINT ignored
	# (POSIX, no job control), and a command that still ignores it gets SIGTERM instead.
	signal=INT
	ignored=$(sed -n 's/^SigIgn:[[:space:]]*//p' "/proc/$pid/status" 2>/dev/null)
	if [ -n "$ignored" ] && [ $((0x${ignored#"${ignored%?}"} & 2)) -ne 0 ]; then
		signal=TERM
	fi
	kill -"$signal" "$pid" 2>/dev/null
	after "$grace_ns" kill -KILL "$pid"
}

timed_out() {
	: >"$work/timed-out"
	say "process did not finish before its timeout of $(seconds "$timeout_ns")s; interrupting it"
	interrupt
}

if [ $# -eq 0 ]; then
	echo "entrypoint: no command to run" >&2
	record $INTERNAL
fi
mkdir -p "$artifacts" "$(dirname "$log")" "$(dirname "$marker")" || record $INTERNAL
work=$(mktemp -d) || record $INTERNAL
mkfifo "$work/output" || record $INTERNAL

tee -a "$log" <"$work/output" &
tee_pid=$!
"$@" >"$work/output" 2>&1 &
pid=$!

aborted=0
trap 'aborted=1; say "interrupted; stopping the process"; interrupt' TERM INT
after "$timeout_ns" timed_out
timer=$!

while :; do
	wait "$pid"
	code=$?
	# A trapped signal ends `wait` early; go on waiting while the command still runs.
	kill -0 "$pid" 2>/dev/null || break
done
kill "$timer" 2>/dev/null

stopped=1
if [ -e "$work/timed-out" ]; then
	code=$INTERNAL
elif [ "$aborted" -eq 1 ]; then
	code=$ABORTED
else
	stopped=0
fi
if [ "$stopped" -eq 1 ]; then
	# Children of a stopped command may hold the output open: give tee a second to
	# copy what the command wrote last, not more.
	after 1000000000 kill "$tee_pid"
	tee_timer=$!
	wait "$tee_pid"
	kill "$tee_timer" 2>/dev/null
else
	wait "$tee_pid"
fi
rm -rf "$work"
record "$code"
