#include "client/cli.h"

#include <unistd.h>

#include <iostream>
#include <istream>
#include <ostream>

#include "CLI/CLI.hpp"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "client/commands/commands.h"
#include "client/config_change.h"
#include "modem/command_timeouts.h"

namespace cellfleet::client {
namespace {

struct TargetOptions {
  std::string targets;
  std::string inventory;
  std::vector<std::string> selectors;
};

// Boards from --targets or --inventory (+ --select); errors are one line each.
absl::StatusOr<std::vector<Board>> ResolveBoards(const TargetOptions& options) {
  if (options.targets.empty() == options.inventory.empty()) {
    return absl::InvalidArgumentError(
        "give exactly one of --targets host:port,... or --inventory FILE");
  }
  std::vector<Board> boards;
  if (!options.targets.empty()) {
    if (!options.selectors.empty())
      return absl::InvalidArgumentError("--select needs --inventory (targets carry no labels)");
    auto parsed = ParseTargets(options.targets);
    if (!parsed.ok()) return parsed.status();
    return parsed;
  }
  auto all = LoadInventory(options.inventory);
  if (!all.ok()) return all.status();
  auto selectors = ParseSelectors(options.selectors);
  if (!selectors.ok()) return selectors.status();
  boards = SelectBoards(*all, *selectors);
  if (boards.empty()) return absl::NotFoundError("no board in the inventory matches --select");
  return boards;
}

void AddTargetOptions(CLI::App* command, TargetOptions& options) {
  command->add_option("--targets", options.targets, "Agents to talk to: host:port,host:port,...");
  command->add_option("--inventory", options.inventory,
                      "YAML inventory of boards (name, address, labels)");
  command->add_option("--select", options.selectors,
                      "Only boards with this label (key=value); repeatable");
}

}  // namespace

int Run(const std::vector<std::string>& args, std::istream& in, std::ostream& out,
        std::ostream& err, const CancelSignal& cancel) {
  CLI::App app{"cellfleet: manage a fleet of LTE modems through their cellfleet agents",
               "cellfleet"};
  app.require_subcommand(1);
  std::string output = "table";
  double timeout_seconds = 5;
  int concurrency = 32;
  std::string ca_file, cert_file, key_file, server_name;
  app.add_option("-o,--output", output, "Output format: table or json (one JSON object per line)");
  app.add_option("--timeout", timeout_seconds, "Per-board deadline in seconds")
      ->check(CLI::Range(0.1, 600.0));
  app.add_option("--ca", ca_file, "CA certificate of the agents (turns TLS on)");
  app.add_option("--cert", cert_file, "Client certificate, for agents that require mutual TLS");
  app.add_option("--key", key_file, "Private key of --cert");
  app.add_option("--tls-server-name", server_name, "Name to expect in the agents' certificates");
  app.add_option("--concurrency", concurrency, "Boards contacted at once")
      ->check(CLI::Range(1, 1024));

  TargetOptions status_targets;
  CLI::App* status = app.add_subcommand("status", "Show each board's modem status");
  AddTargetOptions(status, status_targets);

  TargetOptions watch_targets;
  WatchOptions watch;
  double interval_seconds = 2, heartbeat_seconds = 0, duration_seconds = 0;
  CLI::App* watch_cmd =
      app.add_subcommand("watch", "Stream live signal and status from each board");
  AddTargetOptions(watch_cmd, watch_targets);
  watch_cmd->add_option("--interval", interval_seconds, "Seconds between samples")
      ->check(CLI::Range(0.0, 86400.0));
  watch_cmd->add_flag("--on-change", watch.on_change,
                      "Only send changes (see --deadband) and heartbeats");
  watch_cmd->add_option("--deadband", watch.deadbands,
                        "metric=dB change needed to report (rsrp, rsrq, sinr, rssi)");
  watch_cmd
      ->add_option("--heartbeat", heartbeat_seconds, "With --on-change: seconds between heartbeats")
      ->check(CLI::Range(0.0, 86400.0));
  watch_cmd->add_option("--fields", watch.fields,
                        "Only these ModemStatus fields (e.g. serving_cell.lte.rsrp_dbm)");
  watch_cmd->add_option("--count", watch.count, "Stop after this many updates per board")
      ->check(CLI::Range(0, 1000000));
  watch_cmd->add_option("--duration", duration_seconds, "Stop after this many seconds")
      ->check(CLI::Range(0.0, 31536000.0));

  TargetOptions history_targets;
  HistoryOptions history;
  std::string since = "24h";
  CLI::App* history_cmd =
      app.add_subcommand("history", "Show what each board recorded while unwatched");
  AddTargetOptions(history_cmd, history_targets);
  history_cmd->add_option("--since", since, "How far back, e.g. 30m, 6h, 7d");
  history_cmd->add_flag("--events-only", history.events_only, "Only events, no kept samples");
  history_cmd->add_option("--max", history.max_entries, "Entries per board (newest kept)")
      ->check(CLI::Range(1, 100000));

  TargetOptions dial_targets, hangup_targets;
  double dial_wait_seconds = absl::ToDoubleSeconds(modem::kDialTimeLimit);
  CLI::App* dial = app.add_subcommand("dial", "Bring up the PPP data link on each board");
  AddTargetOptions(dial, dial_targets);
  dial->add_option("--wait", dial_wait_seconds, "Seconds each board may take to come up")
      ->check(CLI::Range(1.0, 600.0));
  CLI::App* hangup = app.add_subcommand("hangup", "Take the PPP data link down on each board");
  AddTargetOptions(hangup, hangup_targets);

  TargetOptions diagnose_targets;
  bool all_checks = false;
  CLI::App* diagnose =
      app.add_subcommand("diagnose", "Say what is wrong with each board and what to do about it");
  AddTargetOptions(diagnose, diagnose_targets);
  diagnose->add_flag("--all-checks", all_checks, "A row per check, passing ones too");

  CLI::App* decode =
      app.add_subcommand("decode", "Explain raw modem replies pasted on stdin, as JSON lines");

  CLI::App* config_cmd =
      app.add_subcommand("config", "The PPP connection config (APN, auth, keep-up) of each board");
  config_cmd->require_subcommand(1);
  TargetOptions config_get_targets, config_diff_targets, config_apply_targets,
      config_confirm_targets, apn_targets;
  bool include_previous = false;
  CLI::App* config_get = config_cmd->add_subcommand("get", "Show the config in force");
  AddTargetOptions(config_get, config_get_targets);
  config_get->add_flag("--previous", include_previous, "Also the versions kept before it");
  ConfigChangeFlags diff_change, apply_change, apn_change;
  CLI::App* config_diff =
      config_cmd->add_subcommand("diff", "Show what a change would do (config and pppd files)");
  AddTargetOptions(config_diff, config_diff_targets);
  AddConfigChangeOptions(config_diff, diff_change, /*with_confirm=*/false);
  ApplyOptions apply;
  CLI::App* config_apply = config_cmd->add_subcommand(
      "apply", "Apply a change; with --confirm, confirm each board once it is back on it");
  AddTargetOptions(config_apply, config_apply_targets);
  AddConfigChangeOptions(config_apply, apply_change, /*with_confirm=*/true);
  uint64_t confirm_version = 0;
  CLI::App* config_confirm =
      config_cmd->add_subcommand("confirm", "Confirm a pending commit-confirmed apply");
  AddTargetOptions(config_confirm, config_confirm_targets);
  config_confirm->add_option("--version", confirm_version,
                             "The version to confirm (default: the one each board has pending)");
  CLI::App* apn_cmd = app.add_subcommand("apn", "Shorthand for the APN");
  apn_cmd->require_subcommand(1);
  CLI::App* apn_set = apn_cmd->add_subcommand("set", "Push an APN: cellfleet config apply --apn");
  std::string new_apn;
  apn_set->add_option("APN", new_apn, "The APN")->required();
  AddTargetOptions(apn_set, apn_targets);
  apn_set->add_option("--confirm", apn_change.confirm,
                      "Roll back unless each board is back on the new APN and confirmed within "
                      "this window, e.g. 120s");
  for (CLI::App* command : {config_apply, apn_set}) {
    command
        ->add_option("--canary", apply.canary,
                     "Push to this many boards first; stop if any of them fails")
        ->check(CLI::Range(0, 100000));
    command->add_flag("--manual-confirm", apply.manual_confirm,
                      "With --confirm: apply only; confirm later with cellfleet config confirm");
    command->add_flag("--progress", apply.progress,
                      "A line per board and step on stderr (default on a terminal)");
  }

  try {
    app.parse(std::vector<std::string>(args.rbegin(), args.rend()));
  } catch (const CLI::CallForHelp&) {
    out << app.help();
    return kExitOk;
  } catch (const CLI::CallForAllHelp&) {
    out << app.help("", CLI::AppFormatMode::All);
    return kExitOk;
  } catch (const CLI::ParseError& e) {
    err << "cellfleet: " << e.what() << " (see cellfleet --help)\n";
    return kExitUsage;
  }
  absl::StatusOr<OutputFormat> format = ParseOutputFormat(output);
  if (!format.ok()) {
    err << "cellfleet: " << format.status().message() << "\n";
    return kExitUsage;
  }
  CommandEnv env{in, out, err, cancel, *format};
  FanOutOptions fanout;
  fanout.deadline = absl::Seconds(timeout_seconds);
  fanout.concurrency = concurrency;
  absl::StatusOr<ConnectOptions> connect =
      LoadConnectOptions(ca_file, cert_file, key_file, server_name);
  if (!connect.ok()) {
    err << "cellfleet: " << connect.status().message() << "\n";
    return kExitUsage;
  }
  fanout.connect = *connect;

  if (decode->parsed()) return RunDecode(env);
  const TargetOptions& targets = status->parsed()           ? status_targets
                                 : diagnose->parsed()       ? diagnose_targets
                                 : history_cmd->parsed()    ? history_targets
                                 : dial->parsed()           ? dial_targets
                                 : hangup->parsed()         ? hangup_targets
                                 : config_get->parsed()     ? config_get_targets
                                 : config_diff->parsed()    ? config_diff_targets
                                 : config_apply->parsed()   ? config_apply_targets
                                 : config_confirm->parsed() ? config_confirm_targets
                                 : apn_set->parsed()        ? apn_targets
                                                            : watch_targets;
  absl::StatusOr<std::vector<Board>> boards = ResolveBoards(targets);
  if (!boards.ok()) {
    err << "cellfleet: " << boards.status().message() << "\n";
    return kExitUsage;
  }
  if (status->parsed()) return RunStatus(*boards, fanout, env);
  if (diagnose->parsed()) return RunDiagnose(*boards, fanout, all_checks, env);
  if (config_get->parsed()) return RunConfigGet(*boards, fanout, include_previous, env);
  if (config_confirm->parsed()) return RunConfigConfirm(*boards, fanout, confirm_version, env);
  if (config_diff->parsed() || config_apply->parsed() || apn_set->parsed()) {
    if (apn_set->parsed()) apn_change.apn = new_apn;
    absl::StatusOr<v1::ApplyConfigRequest> change =
        BuildConfigChange(config_diff->parsed()    ? diff_change
                          : config_apply->parsed() ? apply_change
                                                   : apn_change,
                          in);
    if (!change.ok()) {
      err << "cellfleet: " << change.status().message() << "\n";
      return kExitUsage;
    }
    if (config_diff->parsed()) return RunConfigDiff(*boards, fanout, *change, env);
    apply.change = *change;
    if (apply.manual_confirm && !apply.change.has_confirm_within()) {
      err << "cellfleet: --manual-confirm needs --confirm WINDOW\n";
      return kExitUsage;
    }
    if (!apply.progress && env.format == OutputFormat::kTable && ::isatty(STDERR_FILENO) == 1 &&
        &err == &std::cerr) {
      apply.progress = true;  // a person at a terminal sees each board's steps
    }
    return RunConfigApply(*boards, fanout, apply, env);
  }
  if (dial->parsed()) {
    fanout.deadline = absl::Seconds(dial_wait_seconds);
    return RunDial(*boards, fanout, env);
  }
  if (hangup->parsed()) return RunHangUp(*boards, fanout, env);
  if (history_cmd->parsed()) {
    absl::Duration window;
    // absl durations have no day unit; accept "7d" as operators write it.
    std::string text = since;
    if (!text.empty() && text.back() == 'd') {
      int days = 0;
      if (absl::SimpleAtoi(text.substr(0, text.size() - 1), &days))
        text = absl::StrCat(days * 24, "h");
    }
    if (!absl::ParseDuration(text, &window) || window <= absl::ZeroDuration()) {
      err << "cellfleet: --since \"" << since << "\": expected a duration such as 30m, 6h or 7d\n";
      return kExitUsage;
    }
    history.since = window;
    return RunHistory(*boards, fanout, history, env);
  }
  watch.interval = absl::Seconds(interval_seconds);
  watch.heartbeat = absl::Seconds(heartbeat_seconds);
  watch.duration = absl::Seconds(duration_seconds);
  return RunWatch(*boards, fanout, watch, env);
}

}  // namespace cellfleet::client
