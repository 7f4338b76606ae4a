#include "tests/support/fleet.h"

#include <signal.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <random>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "base/clock.h"

namespace cellfleet::testing {
namespace {

// "board-00 at=/x/at modem=/x/modem imei=... iccid=..." lines from the simulator.
std::vector<FleetBoard> ParseListing(const std::string& listing) {
  std::vector<FleetBoard> boards;
  for (absl::string_view line : absl::StrSplit(listing, '\n', absl::SkipEmpty())) {
    FleetBoard board;
    std::vector<std::string> words = absl::StrSplit(line, ' ');
    board.name = words[0];
    for (const std::string& word : words) {
      std::vector<std::string> kv = absl::StrSplit(word, absl::MaxSplits('=', 1));
      if (kv.size() != 2) continue;
      if (kv[0] == "at") board.at_path = kv[1];
      if (kv[0] == "modem") board.modem_path = kv[1];
      if (kv[0] == "imei") board.imei = kv[1];
      if (kv[0] == "iccid") board.iccid = kv[1];
    }
    boards.push_back(board);
  }
  return boards;
}

// A ready file is how a started process says where it listens. One left by an earlier
// run in the same --dir would be read before the new process writes its own: removed
// before the process that writes it starts.
absl::Status RemoveStaleReadyFile(const std::string& path) {
  std::error_code error;
  std::filesystem::remove(path, error);
  if (error) {
    return absl::FailedPreconditionError(
        absl::StrCat("cannot remove the last run's ", path, ": ", error.message()));
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<FleetTrouble> ParseFleetTrouble(const std::string& text) {
  std::vector<absl::string_view> parts = absl::StrSplit(text, absl::MaxSplits('=', 1));
  FleetTrouble trouble;
  double percent = 0;
  if (parts.size() != 2 || !absl::ConsumeSuffix(&parts[1], "%") ||
      !absl::SimpleAtod(parts[1], &percent) || percent <= 0 || percent > 100) {
    return absl::InvalidArgumentError(
        absl::StrCat("trouble \"", text, "\": expected fade=P% or drop=P%, 0 < P <= 100"));
  }
  if (parts[0] == "fade") {
    trouble.kind = FleetTrouble::Kind::kFade;
  } else if (parts[0] == "drop") {
    trouble.kind = FleetTrouble::Kind::kDrop;
  } else {
    return absl::InvalidArgumentError(
        absl::StrCat("trouble \"", text, "\": unknown kind \"", parts[0], "\" (fade, drop)"));
  }
  trouble.share = percent / 100;
  return trouble;
}

absl::StatusOr<std::unique_ptr<Fleet>> Fleet::Start(FleetOptions options) {
  std::unique_ptr<Fleet> fleet(new Fleet(std::move(options)));
  if (absl::Status started = fleet->StartSimulator(); !started.ok()) return started;
  if (fleet->options_.start_agents) {
    if (absl::Status started = fleet->StartAgents(); !started.ok()) return started;
  }
  return fleet;
}

Fleet::~Fleet() { (void)Stop(); }

absl::StatusOr<std::string> Fleet::WriteTroubleScenario() const {
  const std::string path = options_.dir + "/trouble.yaml";
  std::ofstream out(path);
  out << "# Trouble for a share of the fleet (tests/support/fleet.h).\nevents:\n";
  for (size_t i = 0; i < trouble_of_.size(); ++i) {
    if (!trouble_of_[i]) continue;
    const bool fade = trouble_of_[i]->kind == FleetTrouble::Kind::kFade;
    out << "  - {at: " << absl::ToInt64Seconds(trouble_of_[i]->at) << "s, board: " << i
        << (fade ? ", action: signal_fade, rsrp_delta_db: -20}\n"
                 : ", action: deregister, duration: 60s}\n");
  }
  out.close();
  if (!out) return absl::InternalError(absl::StrCat("cannot write ", path));
  return path;
}

absl::Status Fleet::StartSimulator() {
  const std::string ready = options_.dir + "/sim.ready";
  if (absl::Status removed = RemoveStaleReadyFile(ready); !removed.ok()) return removed;
  // Which boards get which trouble: a seeded shuffle, so the same seed picks the same.
  trouble_of_.assign(static_cast<size_t>(options_.boards), std::nullopt);
  std::vector<size_t> order(trouble_of_.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::shuffle(order.begin(), order.end(), std::mt19937_64(options_.seed));
  size_t next = 0;
  for (const FleetTrouble& trouble : options_.trouble) {
    const size_t count = std::max<size_t>(
        1, static_cast<size_t>(std::lround(trouble.share * static_cast<double>(order.size()))));
    for (size_t k = 0; k < count && next < order.size(); ++k) {
      trouble_of_[order[next++]] = trouble;
    }
  }
  std::vector<std::string> argv = {options_.simulator,
                                   "--boards",
                                   std::to_string(options_.boards),
                                   "--dir",
                                   options_.dir + "/sim",
                                   "--seed",
                                   std::to_string(options_.seed),
                                   "--tick",
                                   options_.tick,
                                   "--ready-file",
                                   ready};
  argv.insert(argv.end(), options_.simulator_args.begin(), options_.simulator_args.end());
  if (!options_.trouble.empty()) {
    absl::StatusOr<std::string> scenario = WriteTroubleScenario();
    if (!scenario.ok()) return scenario.status();
    argv.insert(argv.end(), {"--scenario", *scenario});
  }
  absl::StatusOr<Subprocess> simulator = Subprocess::Start(argv, options_.dir + "/sim.log");
  if (!simulator.ok()) return simulator.status();
  simulator_ = std::make_unique<Subprocess>(std::move(*simulator));
  absl::StatusOr<std::string> listing = WaitForFile(ready, options_.start_timeout);
  if (!listing.ok()) return listing.status();
  boards_ = ParseListing(*listing);
  if (boards_.size() != static_cast<size_t>(options_.boards)) {
    return absl::InternalError(absl::StrCat("the simulator listed ", boards_.size(),
                                            " boards, not ", options_.boards, ": ", *listing));
  }
  return absl::OkStatus();
}

absl::Status Fleet::StartAgents() {
  // All start at once; then each is waited for (a fleet of hundreds starts in parallel).
  for (size_t i = 0; i < boards_.size(); ++i) {
    FleetBoard& board = boards_[i];
    board.state_dir = absl::StrCat(options_.dir, "/state", i);
    board.log = absl::StrCat(options_.dir, "/agent", i, ".log");
    const std::string ready = absl::StrCat(options_.dir, "/agent", i, ".ready");
    if (absl::Status removed = RemoveStaleReadyFile(ready); !removed.ok()) return removed;
    std::vector<std::string> argv = {options_.agent,
                                     "--at-port",
                                     board.at_path,
                                     "--modem-port",
                                     board.modem_path,
                                     "--listen",
                                     absl::StrCat(options_.listen_host, ":0"),
                                     "--board-name",
                                     board.name,
                                     "--lock-dir",
                                     options_.dir,
                                     "--state-dir",
                                     board.state_dir,
                                     "--ready-file",
                                     ready};
    if (!options_.poll_interval.empty()) {
      argv.insert(argv.end(), {"--poll-interval", options_.poll_interval});
    }
    std::vector<std::string> more;
    if (options_.agent_args) more = options_.agent_args(static_cast<int>(i));
    const bool role_given = std::any_of(more.begin(), more.end(), [](const std::string& arg) {
      return absl::StartsWith(arg, "--unauthenticated-role");
    });
    if (!role_given && !options_.unauthenticated_role.empty()) {
      argv.insert(argv.end(), {"--unauthenticated-role", options_.unauthenticated_role});
    }
    argv.insert(argv.end(), more.begin(), more.end());
    absl::StatusOr<Subprocess> agent = Subprocess::Start(argv, board.log);
    if (!agent.ok()) return agent.status();
    agents_.push_back(std::make_unique<Subprocess>(std::move(*agent)));
  }
  const absl::Time deadline = base::Clock::Real().Now() + options_.start_timeout;
  for (size_t i = 0; i < boards_.size(); ++i) {
    absl::StatusOr<std::string> address =
        WaitForFile(absl::StrCat(options_.dir, "/agent", i, ".ready"),
                    std::max(deadline - base::Clock::Real().Now(), absl::Milliseconds(1)));
    if (!address.ok()) {
      return absl::DeadlineExceededError(absl::StrCat(
          "agent ", i, " did not start (see ", boards_[i].log, "): ", address.status().message()));
    }
    boards_[i].address = std::string(absl::StripAsciiWhitespace(*address));
  }
  return absl::OkStatus();
}

std::vector<std::string> Fleet::addresses() const {
  std::vector<std::string> out;
  for (const FleetBoard& board : boards_) out.push_back(board.address);
  return out;
}

std::string Fleet::targets() const { return absl::StrJoin(addresses(), ","); }

absl::StatusOr<std::string> Fleet::WriteInventory() const {
  const std::string path = options_.dir + "/inventory.yaml";
  std::ofstream out(path);
  out << "boards:\n";
  for (size_t i = 0; i < boards_.size(); ++i) {
    out << "  - name: " << boards_[i].name << "\n    address: \"" << boards_[i].address
        << "\"\n    labels: {region: " << (i % 2 == 0 ? "north" : "south") << ", site: site-"
        << i / 10;
    if (i < trouble_of_.size() && trouble_of_[i]) {
      out << ", trouble: " << (trouble_of_[i]->kind == FleetTrouble::Kind::kFade ? "fade" : "drop");
    }
    out << "}\n";
  }
  out.close();
  if (!out) return absl::InternalError(absl::StrCat("cannot write ", path));
  return path;
}

absl::Status Fleet::Stop() {
  absl::Status first;
  for (auto& agent : agents_) {  // all told at once: a large fleet stops in parallel
    if (agent != nullptr) agent->Signal(SIGTERM);
  }
  for (auto& agent : agents_) {
    if (agent == nullptr) continue;
    absl::StatusOr<int> stopped = agent->Stop();
    if (!stopped.ok() && first.ok()) first = stopped.status();
    agent.reset();
  }
  if (simulator_ != nullptr) {
    absl::StatusOr<int> stopped = simulator_->Stop();
    if (!stopped.ok() && first.ok()) first = stopped.status();
    simulator_.reset();
  }
  return first;
}

}  // namespace cellfleet::testing
