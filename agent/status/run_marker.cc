#include "agent/status/run_marker.h"

#include <cstdio>
#include <fstream>

#include "absl/strings/strip.h"
#include "base/atomic_file.h"
#include "spdlog/spdlog.h"

namespace cellfleet::agent {
namespace {

std::string ReadLine(const std::string& path) {
  std::ifstream in(path);
  std::string line;
  std::getline(in, line);
  return std::string(absl::StripAsciiWhitespace(line));
}

}  // namespace

std::string ReadBootId(const std::string& boot_id_file) { return ReadLine(boot_id_file); }

std::string BeginRun(const std::string& marker, const std::string& boot_id_file, bool had_history) {
  const std::string boot = ReadBootId(boot_id_file);
  std::ifstream previous(marker);
  std::string ending;
  if (previous) {
    ending = ReadLine(marker) == boot
                 ? "the previous run ended without stopping (killed or crashed)"
                 : "the previous run ended with the board (power lost, or a reset without a "
                   "clean shutdown)";
  } else {
    ending = had_history ? "the previous run stopped cleanly" : "the first run on this state dir";
  }
  if (absl::Status written = base::WriteFileAtomically(marker, boot + "\n", 0600); !written.ok()) {
    spdlog::error("cannot mark this run's start: {}", written.ToString());
  }
  return ending;
}

void EndRun(const std::string& marker) { std::remove(marker.c_str()); }

}  // namespace cellfleet::agent
