// How the agent's previous run on this board ended, for the history: a marker file holding
// the kernel's boot id is written when a run starts and removed when it stops cleanly.
// Found at start, it means the run before did not stop: within the same boot the agent
// was killed or crashed; with another boot id the board went down under it (power lost,
// or a reset without a clean shutdown).
#ifndef CELLFLEET_AGENT_STATUS_RUN_MARKER_H_
#define CELLFLEET_AGENT_STATUS_RUN_MARKER_H_

#include <string>

namespace cellfleet::agent {

// Writes the marker for this run; returns, in words, how the previous one ended.
// `had_history`: something was recorded before (else this is the first run).
std::string BeginRun(const std::string& marker, const std::string& boot_id_file, bool had_history);
// A clean stop: removes the marker.
void EndRun(const std::string& marker);

// This boot's id (/proc/sys/kernel/random/boot_id, at `boot_id_file`); empty if unreadable.
std::string ReadBootId(const std::string& boot_id_file);

}  // namespace cellfleet::agent

#endif  // CELLFLEET_AGENT_STATUS_RUN_MARKER_H_
