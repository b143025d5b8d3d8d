#pragma once
// The LIVEGUI_* environment contract: every variable one livegui process sets
// for another, in one place. Who sets it → who reads it, and what it holds.
// Documented for users in batcher/README.md, docs/state-file.md and
// docs/hook-protocol.md; a new variable goes here first.

namespace livegui::env {

// ---- livegui-batch → every process it starts, and theirs (inherited) ------

/// Space-separated "<pid>:<start time>" of every livegui-batch run the
/// process descends from (a run appends its own to what it inherited). A
/// SIGKILLed run's reaper (batcher/run/reaper.hpp) stops the processes that
/// carry its word, whenever they started and wherever they were reparented.
inline constexpr const char* kRuns = "LIVEGUI_RUNS";

// ---- livegui-batch → a test binary (read by harness/gtest_integration) -----

/// Path of the tier's AUT spec file (TOML, same fields as the plan's `aut`
/// table, without the token). Set for entries of tiers that use the AUT.
inline constexpr const char* kAutSpec = "LIVEGUI_AUT_SPEC";
/// The hook token of the tier's AUT (kept out of every file).
inline constexpr const char* kAutToken = "LIVEGUI_AUT_TOKEN";
/// "file" (the binary owns its AUT) or "session" (it attaches to the batcher's).
inline constexpr const char* kAutScope = "LIVEGUI_AUT_SCOPE";
/// "<pid>:<start time>" of the livegui-batch run that started the binary: a
/// session guest attaches only to an AUT whose recorded owner it is.
inline constexpr const char* kAutOwner = "LIVEGUI_AUT_OWNER";
/// The AUT state file the binary's AppHandle records into (one per run).
inline constexpr const char* kStateFile = "LIVEGUI_STATE_FILE";
/// The directory of default state files (also honoured outside the batcher).
inline constexpr const char* kStateDir = "LIVEGUI_STATE_DIR";
/// Where the AUT's per-spawn logs go.
inline constexpr const char* kLogDir = "LIVEGUI_LOG_DIR";
/// Where the gtest listener saves failure screenshots for this entry.
inline constexpr const char* kArtifactDir = "LIVEGUI_ARTIFACT_DIR";
/// The entry's unit id ("tier/entry[/suite]"), for logs.
inline constexpr const char* kBatchEntry = "LIVEGUI_BATCH_ENTRY";
/// The entry's name as the plan and the reports spell it ("test_x"). The
/// harness (a test binary's, or pytest's livegui-aut) records it as the
/// entry that left the AUT degraded (state file `degraded_blame.entry`), so
/// that later entries' tests name it rather than each other.
inline constexpr const char* kBatchEntryName = "LIVEGUI_BATCH_ENTRY_NAME";

// ---- livegui-batch → a pytest entry (read by python/livegui_pytest) ---------

/// Where the entry's JUnit XML goes (also substituted for the {junit} placeholder).
inline constexpr const char* kJunitFile = "LIVEGUI_JUNIT_FILE";
/// Where the livegui_pytest plugin writes its per-test event stream (JSON lines).
inline constexpr const char* kEventsFile = "LIVEGUI_EVENTS_FILE";
/// A resumed attempt's decided tests, which the plugin deselects by exact
/// node id (a JSON array of strings). pytest's own --deselect matches by
/// prefix: `--deselect t.py::test_a` also drops t.py::test_ab.
inline constexpr const char* kDeselectFile = "LIVEGUI_DESELECT_FILE";
/// The only tests an attempt runs (--last-failed: the node ids that failed
/// before), which the plugin selects by exact node id (a JSON array of
/// strings); every other collected test is deselected. Unset = all.
inline constexpr const char* kSelectFile = "LIVEGUI_SELECT_FILE";
/// Where the plugin's faulthandler writes every thread's Python frames when
/// the batcher, stopping a timed-out attempt, sends SIGUSR1 (docs/pytest.md,
/// batcher/run/python_stacks.hpp).
inline constexpr const char* kPythonStacksFile = "LIVEGUI_PYTHON_STACKS_FILE";
/// The livegui-aut binary the plugin's live_gui fixture supervises the AUT
/// through (a user's own setting wins; else the one next to livegui-batch).
inline constexpr const char* kAutBin = "LIVEGUI_AUT_BIN";

// ---- the harness → the AUT (read by hookserver/ and any protocol app) ------

/// The port to listen on; "0" = any free port, announced on stdout.
inline constexpr const char* kHookPort = "LIVEGUI_HOOK_PORT";
/// The token every request must carry (unset: no token).
inline constexpr const char* kHookToken = "LIVEGUI_HOOK_TOKEN";
/// A file the app writes its port to (readiness = port_file).
inline constexpr const char* kHookPortFile = "LIVEGUI_HOOK_PORT_FILE";

// ---- the CI → livegui-batch --shard auto (batcher/select/shard_env.hpp) ----

/// A Kubernetes Indexed Job's completions (with JOB_COMPLETION_INDEX).
inline constexpr const char* kShardTotal = "LIVEGUI_SHARD_TOTAL";

}  // namespace livegui::env
