#include "agent/checks/doctor.h"

#include <filesystem>
#include <fstream>
#include <iterator>
#include <optional>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/strip.h"
#include "agent/checks/host_checks.h"
#include "agent/checks/layer_checks.h"
#include "base/duration_text.h"
#include "convert/modem_to_proto.h"
#include "convert/reply_to_status.h"
#include "modem/operator_command.h"
#include "modem/replies/pdp_context.h"
#include "modem/replies/sim_status.h"
#include "proto/time_convert.h"

namespace cellfleet::agent {
namespace {

// The hand checklist's queries, in the order an engineer types them. ATI first: whether
// the AT port answers at all.
constexpr const char* kQueries[] = {
    "ATI",      "AT+CPIN?", "AT+QCCID",  "AT+CIMI",    "AT+CSQ", "AT+QENG=\"servingcell\"",
    "AT+COPS?", "AT+CREG?", "AT+CEREG?", "AT+CGDCONT?"};
constexpr size_t kQueryCount = sizeof(kQueries) / sizeof(kQueries[0]);
// The last query each check needs, by index in kQueries.
constexpr size_t kCimi = 3, kQeng = 5, kCops = 6, kCereg = 8, kCgdcont = 9;
constexpr char kStopping[] = "the agent is stopping";

// "/dev/ttyUSB2" for a udev symlink to it; "pts/3" for a pseudo-terminal.
std::string TtyName(const std::string& path) {
  if (path.empty() || path == "auto") return "";
  std::error_code ec;
  std::string resolved = std::filesystem::canonical(path, ec).string();
  if (ec) resolved = path;
  return absl::StartsWith(resolved, "/dev/") ? resolved.substr(5) : resolved;
}

std::optional<std::string> ReadFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) return std::nullopt;
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

std::string Milliseconds(absl::Duration d) {
  return absl::StrFormat("%.0f ms", absl::ToDoubleMilliseconds(d));
}

v1::DiagnosticCheck OperatorCheck(const v1::ModemStatus& s) {
  const v1::Operator& op = s.operator_();
  if (op.mode() == v1::OPERATOR_SELECTION_MODE_DEREGISTERED) {
    return Fail("operator",
                "the modem is deregistered from the network (AT+COPS=2): AT+COPS=0 registers "
                "it again");
  }
  const std::string name = !op.name().empty() ? op.name() : op.numeric();
  if (name.empty())
    return Warn("operator", "no operator selected: not registered (see registration)");
  const char* mode = op.mode() == v1::OPERATOR_SELECTION_MODE_AUTOMATIC ? "automatic" : "manual";
  std::string detail = absl::StrCat(name, ", ", mode, " selection");
  if (op.access_technology() != v1::ACCESS_TECHNOLOGY_UNSPECIFIED) {
    absl::StrAppend(
        &detail, ", ",
        absl::StripPrefix(v1::AccessTechnology_Name(op.access_technology()), "ACCESS_TECHNOLOGY_"));
  }
  if (op.mode() == v1::OPERATOR_SELECTION_MODE_MANUAL) {
    return Warn("operator", absl::StrCat(detail,
                                         ": locked to this operator; AT+COPS=0 lets the "
                                         "modem choose when it is out of reach"));
  }
  return Pass("operator", std::move(detail));
}

// Context 1 is the one ATD*99# dials; the dial script writes the configured APN to it.
v1::DiagnosticCheck PdpCheck(const std::optional<std::vector<modem::PdpContext>>& contexts,
                             const std::optional<std::string>& configured_apn) {
  if (!contexts) return Warn("pdp_context", "AT+CGDCONT? gave no readable answer");
  const modem::PdpContext* first = nullptr;
  for (const modem::PdpContext& context : *contexts) {
    if (context.cid == 1) first = &context;
  }
  const std::string wanted =
      !configured_apn ? std::string()
                      : (configured_apn->empty() ? std::string("the network's default (empty)")
                                                 : absl::StrCat("\"", *configured_apn, "\""));
  if (first == nullptr) {
    return Warn("pdp_context",
                absl::StrCat("no PDP context 1 defined",
                             wanted.empty()
                                 ? std::string()
                                 : absl::StrCat("; the next dial defines it with APN ", wanted)));
  }
  std::string detail = absl::StrCat("context 1 ", first->pdp_type, " APN \"", first->apn, "\"",
                                    first->apn.empty() ? " (the network's default)" : "");
  if (configured_apn && !absl::EqualsIgnoreCase(first->apn, *configured_apn)) {
    return Warn("pdp_context",
                absl::StrCat(detail, ", but the agent's connection config says ", wanted,
                             ": the next dial sets it; if the link is up it runs on the "
                             "modem's APN"));
  }
  if (configured_apn) absl::StrAppend(&detail, ", as configured");
  return Pass("pdp_context", std::move(detail));
}

v1::DiagnosticCheck AgentCheck(const DoctorOptions& options, const StatusPtr& latest,
                               absl::Time now) {
  std::string detail =
      absl::StrCat("cellfleet-agent ", options.version, ", up ",
                   base::DurationText(absl::Trunc(now - options.started, absl::Seconds(1))),
                   ", polling every ", base::DurationText(options.poll_interval));
  absl::StrAppend(&detail,
                  options.config_push ? ", config push on" : ", config push off (see its log)");
  if (latest == nullptr) return Warn("agent", absl::StrCat(detail, "; no status sampled yet"));
  v1::DiagnosticCheck sample = SampleCheck(*latest, now, options.poll_interval);
  absl::StrAppend(&detail, "; ", sample.detail());
  if (sample.result() != v1::CHECK_RESULT_PASS) return Check("agent", sample.result(), detail);
  if (!options.config_push) return Warn("agent", std::move(detail));
  return Pass("agent", std::move(detail));
}

}  // namespace

struct Doctor::RunState {
  absl::Time started;
  absl::Time deadline;
  Done done;
  std::vector<v1::DiagnosticCheck> usb;  // usb, driver, ports
  v1::DiagnosticCheck modemmanager;
  std::string at_device;
  std::optional<std::string> configured_apn;  // nullopt: no PPP link on this agent
  size_t next = 0;                            // the next query to send
  size_t answered = 0;                        // queries [0, answered) were answered
  std::string unanswered_why;                 // why the queries from `answered` on have no answer
  absl::Duration ati_elapsed;
  v1::ModemStatus live;  // what the replies decoded to
  std::optional<std::vector<modem::PdpContext>> contexts;
};

Doctor::Doctor(DoctorOptions options, ModemPoller* poller, LinkManager* link, StatusHub* hub)
    : options_(std::move(options)),
      poller_(poller),
      link_(link),
      hub_(hub),
      executor_("cf-doctor") {}

Doctor::~Doctor() { Stop(); }

void Doctor::Stop() { executor_.Stop(); }

void Doctor::Run(absl::Time deadline, Done done) {
  auto run = std::make_shared<RunState>();
  // A run is bounded by its caller's gRPC deadline: real time, whatever the agent's clock.
  run->started = base::Clock::Real().Now();
  // Done a moment before the caller's deadline, so that the answer still reaches it.
  run->deadline = std::min(deadline - absl::Milliseconds(500), run->started + kTimeLimit);
  run->done = std::move(done);
  executor_.Post([this, run](absl::Status status) {
    if (!status.ok()) {
      Finish(run, kStopping);
      return;
    }
    ReadHost(run);
    QueryNext(run);
  });
  // A query may wait behind the poller's (AT+COPS? can take minutes): the run answers at
  // its deadline whatever is still outstanding; a later reply is dropped.
  executor_.PostAt(run->deadline, [this, run](absl::Status status) {
    if (!status.ok()) {
      Finish(run, kStopping);
      return;
    }
    if (!run->done) return;
    run->unanswered_why = absl::StrCat("the doctor's time ran out (",
                                       base::DurationText(run->deadline - run->started), ")");
    Finish(run, "");
  });
}

void Doctor::ReadHost(const std::shared_ptr<RunState>& run) {
  const StatusPtr latest = hub_->Latest();
  run->at_device =
      latest != nullptr && !latest->at_port().empty() ? latest->at_port() : options_.at_port;
  PortsInUse in_use{TtyName(run->at_device), ""};
  if (link_ != nullptr) {
    const modem::ppp::ConnectionSettings settings = link_->Settings();
    in_use.modem_tty = TtyName(settings.modem_port);
    run->configured_apn = settings.apn;
  }
  run->usb = UsbChecks(modem::FindUsbModems(options_.host.roots), in_use);
  std::vector<std::string> conflicts;
  if (absl::StatusOr<std::vector<modem::DiscoveredModem>> found =
          modem::DiscoverModems(options_.host.roots);
      found.ok()) {
    conflicts = modem::ModemManagerConflicts(*found, options_.host.roots);
  }
  run->modemmanager = ModemManagerCheck(modem::ModemManagerRunning(options_.host.roots), conflicts);
}

void Doctor::QueryNext(const std::shared_ptr<RunState>& run) {
  if (!run->done) return;  // answered already, at its deadline
  if (run->next == kQueryCount || !run->unanswered_why.empty()) {
    Finish(run, "");
    return;
  }
  const size_t index = run->next++;
  absl::StatusOr<modem::CommandLine> line = modem::ParseCommandLine(kQueries[index]);
  if (!line.ok()) {  // the table above is wrong: a bug, reported rather than hidden
    run->unanswered_why = absl::StrCat(kQueries[index], ": ", line.status().message());
    Finish(run, "");
    return;
  }
  // Each query within the modem's own limit (the channel's rule); the run's deadline
  // bounds the whole.
  modem::AtCommand command = modem::OperatorCommand(*line, std::nullopt);
  poller_->Submit(std::move(command), [this, run, index,
                                       line = *line](absl::StatusOr<modem::AtResponse> reply) {
    executor_.Post([this, run, index, line, reply = std::move(reply)](absl::Status status) {
      if (!status.ok()) {
        Finish(run, kStopping);
        return;
      }
      if (!run->done) return;  // answered already, at its deadline
      if (!reply.ok()) {
        run->unanswered_why =
            index == 0
                ? std::string(reply.status().message())
                : absl::StrCat(kQueries[index], " got no answer: ", reply.status().message());
        QueryNext(run);
        return;
      }
      run->answered = index + 1;
      if (index == 0) run->ati_elapsed = reply->elapsed;
      if (reply->final.kind == modem::FinalResultKind::kOk) {
        v1::ModemStatus decoded;
        if (convert::DecodeReply(line, reply->lines, decoded)) run->live.MergeFrom(decoded);
        if (line.parts[0].name == "+CGDCONT") {
          run->contexts.emplace();
          for (const std::string& raw : reply->lines) {
            if (absl::StatusOr<modem::PdpContext> context = modem::ParseCgdcont(raw); context.ok())
              run->contexts->push_back(*context);
          }
        }
      } else if (line.parts[0].name == "+CPIN") {
        if (std::optional<modem::SimState> sim = modem::SimStateFromError(reply->final))
          run->live.set_sim_state(convert::SimStateToProto(*sim));
      }
      QueryNext(run);
    });
  });
}

void Doctor::Finish(const std::shared_ptr<RunState>& run, const std::string& cut_short) {
  if (!run->done) return;
  // Stopping: perhaps on the channel's thread, while the link stops; read nothing more.
  const bool stopping = cut_short == kStopping;
  v1::RunDoctorResponse response;
  auto add = [&response](v1::DiagnosticCheck check) { *response.add_checks() = std::move(check); };
  const bool host_read = !run->usb.empty();
  for (const char* name : {"usb", "driver", "ports"}) {
    if (!host_read) add(Skipped(name, cut_short));
  }
  for (v1::DiagnosticCheck& check : run->usb) add(std::move(check));

  // The AT checks: each judged from its queries' replies, or skipped saying why they
  // have none.
  const std::string why = !cut_short.empty() ? cut_short : run->unanswered_why;
  if (run->answered == 0) {
    if (run->next == 0 || !cut_short.empty()) {
      add(Skipped("at_port", why));
    } else {
      add(Fail("at_port", absl::StrCat(why, " (", run->at_device,
                                       "): if it persists, reboot or power-cycle the modem")));
    }
  } else {
    const v1::Identity& id = run->live.identity();
    add(Pass("at_port", absl::StrCat(id.manufacturer(), " ", id.model(), " firmware ",
                                     id.firmware_revision(), " answered ATI in ",
                                     Milliseconds(run->ati_elapsed), " on ", run->at_device)));
  }
  const std::string no_answer =
      run->answered == 0 && cut_short.empty() ? "the AT port does not answer (see at_port)" : why;
  // A check, if the queries up to `last` were answered.
  auto judged = [&](const char* name, size_t last, auto judge) {
    add(last < run->answered ? judge() : Skipped(name, no_answer));
  };
  judged("sim", kCimi, [&] { return SimCheck(run->live); });
  judged("signal", kQeng, [&] { return SignalCheck(run->live); });  // measured without a SIM too
  judged("operator", kCops, [&] {
    const v1::Operator& op = run->live.operator_();
    return run->live.sim_state() == v1::SIM_STATE_READY || !op.name().empty() ||
                   !op.numeric().empty()
               ? OperatorCheck(run->live)
               : Skipped("operator", "no usable SIM (see sim)");
  });
  judged("registration", kCereg, [&] {
    return run->live.sim_state() == v1::SIM_STATE_READY
               ? RegistrationCheck(run->live)
               : Skipped("registration", "no usable SIM (see sim)");
  });
  judged("pdp_context", kCgdcont, [&] { return PdpCheck(run->contexts, run->configured_apn); });

  add(host_read ? run->modemmanager : Skipped("modemmanager", cut_short));
  if (stopping || link_ == nullptr) {
    for (const char* name : {"link", "route", "dns"})
      add(Skipped(name, stopping ? cut_short : "no PPP connection on this agent"));
  } else {
    v1::ModemStatus with_link;
    *with_link.mutable_connection() = link_->Status();
    add(LinkCheck(with_link));
    add(RouteCheck(with_link.connection(), ReadFile(options_.host.route_table).value_or("")));
    add(DnsCheck(with_link.connection(), ReadFile(options_.host.ppp_resolv_conf),
                 options_.host.ppp_resolv_conf));
  }
  add(stopping ? Skipped("agent", cut_short)
               : AgentCheck(options_, hub_->Latest(), options_.clock->Now()));
  if (StatusPtr latest = hub_->Latest(); !stopping && latest != nullptr) {
    add(CertificateCheck(*latest, options_.clock->Now()));
  }
  *response.mutable_elapsed() = ToProtoDuration(base::Clock::Real().Now() - run->started);
  Done done = std::move(run->done);
  done(std::move(response));
}

}  // namespace cellfleet::agent
