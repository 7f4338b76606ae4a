#include "client/commands/command.h"

#include <algorithm>
#include <ostream>

#include "CLI/CLI.hpp"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace cellfleet::client {
namespace {

// Boards from --targets (names with --gateway) or --inventory (+ --select); errors are
// one line each.
absl::StatusOr<std::vector<fleet::Board>> ResolveBoards(const std::string& targets,
                                                        const std::string& gateway,
                                                        const std::string& inventory,
                                                        const std::vector<std::string>& selectors) {
  if (targets.empty() == inventory.empty()) {
    return absl::InvalidArgumentError(
        "give exactly one of --targets host:port,... or --inventory FILE");
  }
  if (!gateway.empty() && targets.empty()) {
    return absl::InvalidArgumentError(
        "--gateway goes with --targets NAME,... (an inventory names each board's via:)");
  }
  if (!targets.empty()) {
    if (!selectors.empty())
      return absl::InvalidArgumentError("--select needs --inventory (targets carry no labels)");
    return gateway.empty() ? fleet::ParseTargets(targets) : fleet::BoardsVia(targets, gateway);
  }
  absl::StatusOr<std::vector<fleet::Board>> all = fleet::LoadInventory(inventory);
  if (!all.ok()) return all.status();
  absl::StatusOr<std::map<std::string, std::string>> wanted = fleet::ParseSelectors(selectors);
  if (!wanted.ok()) return wanted.status();
  std::vector<fleet::Board> boards = fleet::SelectBoards(*all, *wanted);
  if (boards.empty()) return absl::NotFoundError("no board in the inventory matches --select");
  return boards;
}

}  // namespace

void FleetCommand::AddBoardOptions(CLI::App* command) {
  command->add_option("--targets", targets_,
                      "Agents to talk to: host:port,host:port,... (with --gateway: board names)");
  command->add_option("--gateway", gateway_,
                      "A cellfleet-gateway's operator address (host:port): --targets are then "
                      "the names of boards behind carrier NAT, reached through it");
  command->add_option("--inventory", inventory_,
                      "YAML inventory of boards (name, address, labels)");
  command->add_option("--select", selectors_,
                      "Only boards with this label (key=value; name=NAME for one board by its "
                      "inventory name); repeatable");
}

int FleetCommand::Run(CommandEnv& env) {
  absl::StatusOr<std::vector<fleet::Board>> boards =
      ResolveBoards(targets_, gateway_, inventory_, selectors_);
  if (!boards.ok()) return UsageError(env, boards.status());
  if (absl::Status reachable = fleet::CheckGatewayCredentials(*boards, env.fanout.channel);
      !reachable.ok()) {
    return UsageError(env, reachable);
  }
  return RunOnBoards(*boards, env);
}

absl::Duration AtCallDeadline(absl::Duration modem_time, absl::Duration floor) {
  return std::max(floor, modem_time + absl::Seconds(5));
}

int UsageError(CommandEnv& env, const absl::Status& status) {
  env.err << "cellfleet: " << status.message() << "\n";
  return kExitUsage;
}

CLI::App* CommandGroup(CLI::App& root, const std::string& name, const std::string& description) {
  for (CLI::App* existing : root.get_subcommands({})) {
    if (existing->get_name() == name) return existing;
  }
  CLI::App* group = root.add_subcommand(name, description);
  group->require_subcommand(1);
  return group;
}

absl::StatusOr<absl::Duration> ParseWindow(const std::string& since) {
  std::string text = since;
  if (!text.empty() && text.back() == 'd') {
    int days = 0;
    if (absl::SimpleAtoi(text.substr(0, text.size() - 1), &days))
      text = absl::StrCat(days * 24, "h");
  }
  absl::Duration window;
  if (!absl::ParseDuration(text, &window) || window <= absl::ZeroDuration()) {
    return absl::InvalidArgumentError(
        absl::StrCat("--since \"", since, "\": expected a duration such as 30m, 6h or 7d"));
  }
  return window;
}

}  // namespace cellfleet::client
