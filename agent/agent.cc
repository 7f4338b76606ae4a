#include "agent/agent.h"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "agent/security/revocation_list.h"
#include "agent/server_options.h"
#include "agent/status/run_marker.h"
#include "base/file_contents.h"
#include "base/host_port.h"
#include "base/listen_check.h"
#include "grpcpp/impl/server_builder_option.h"
#include "grpcpp/impl/server_builder_plugin.h"
#include "grpcpp/security/tls_certificate_provider.h"
#include "grpcpp/security/tls_credentials_options.h"
#include "modem/log_format.h"
#include "proto/keepalive.h"
#include "proto/listener.h"
#include "spdlog/spdlog.h"

namespace cellfleet::agent {
namespace {

// TLS when configured (mutual when a client CA is given), else plaintext. The files are
// watched: a renewed certificate or CA is served to new connections without a restart.
absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> ServerCredentials(const TlsFiles& tls) {
  if (tls.cert.empty()) return grpc::InsecureServerCredentials();
  // Read once here for a clear error at start-up; the watcher reads them from then on.
  for (const std::string* path : {&tls.cert, &tls.key, &tls.client_ca}) {
    if (path->empty()) continue;
    if (absl::StatusOr<std::string> text = base::ReadFileContents(*path); !text.ok()) {
      return text.status();
    }
  }
  if (!tls.crl_dir.empty() && !std::filesystem::is_directory(tls.crl_dir)) {
    return absl::FailedPreconditionError(
        absl::StrCat("crl_dir ", tls.crl_dir, " is not a directory"));
  }
  const auto seconds = static_cast<unsigned int>(absl::ToInt64Seconds(tls.reload_interval));
  auto provider = tls.client_ca.empty()
                      ? std::make_shared<grpc::experimental::FileWatcherCertificateProvider>(
                            tls.key, tls.cert, seconds)
                      : std::make_shared<grpc::experimental::FileWatcherCertificateProvider>(
                            tls.key, tls.cert, tls.client_ca, seconds);
  grpc::experimental::TlsServerCredentialsOptions options(provider);
  options.watch_identity_key_cert_pairs();
  if (tls.client_ca.empty()) {
    options.set_cert_request_type(GRPC_SSL_DONT_REQUEST_CLIENT_CERTIFICATE);
  } else {
    options.watch_root_certs();
    options.set_cert_request_type(GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY);
  }
  if (!tls.crl_dir.empty()) {
    // Checked after the handshake, from lists read again whenever the directory changes
    // (gRPC's own crl_directory keeps what it read first: a revocation would wait for a
    // restart).
    options.set_certificate_verifier(
        RevocationVerifier(std::make_shared<RevocationList>(tls.crl_dir, tls.client_ca)));
  }
  return grpc::experimental::TlsServerCredentials(options);
}

absl::StatusOr<GatewayLinkOptions> DialOutOptions(const AgentSettings& s,
                                                  const std::string& relay_socket,
                                                  const std::string& version) {
  GatewayLinkOptions o;
  o.settings = s.gateway;
  o.relay_socket = relay_socket;
  o.keepalive_file = s.link.state_dir + "/gateway-keepalive";
  o.agent_version = version;
  o.cert_file = s.tls.cert;
  o.key_file = s.tls.key;
  for (auto [path, pem] : {std::pair{&s.tls.cert, &o.cert_pem}, std::pair{&s.tls.key, &o.key_pem},
                           std::pair{&s.gateway.ca, &o.ca_pem}}) {
    absl::StatusOr<std::string> text = base::ReadFileContents(*path);
    if (!text.ok()) return text.status();
    *pem = *std::move(text);
  }
  return o;
}

}  // namespace

absl::StatusOr<std::unique_ptr<Agent>> Agent::Start(AgentOptions options) {
  std::unique_ptr<Agent> agent(new Agent(std::move(options)));
  if (absl::Status assembled = agent->Assemble(); !assembled.ok()) return assembled;
  return agent;
}

absl::Status Agent::Assemble() {
  AgentSettings& s = options_.settings;
  absl::StatusOr<base::HostPort> listen = base::ParseHostPort(s.listen, "listen address", 0);
  if (!listen.ok()) return absl::FailedPreconditionError(listen.status().message());
  if ((s.tls.cert.empty() != s.tls.key.empty()) ||
      (!s.tls.client_ca.empty() && s.tls.cert.empty())) {
    return absl::FailedPreconditionError(
        "TLS needs both --tls-cert and --tls-key (and they are needed for --tls-client-ca)");
  }
  if (!listen->loopback && s.tls.cert.empty() && !s.insecure) {
    return absl::FailedPreconditionError(absl::StrCat(
        "refusing plaintext gRPC on non-loopback address ", s.listen,
        "; configure TLS (--tls-cert/--tls-key), or --insecure if the network is otherwise "
        "protected"));
  }
  // Deny by default: a caller without a certificate from another host gets no role.
  if (!listen->loopback && s.tls.client_ca.empty() && s.unauthenticated_role != Role::kNone) {
    return absl::FailedPreconditionError(absl::StrCat(
        "refusing unauthenticated_role ", RoleName(s.unauthenticated_role), " on ", s.listen,
        ", which other hosts reach: any of them would have that role without a certificate; "
        "give roles by client certificate (security.tls.client_ca and security.roles) and "
        "keep unauthenticated_role none, or listen on loopback"));
  }
  absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> credentials = ServerCredentials(s.tls);
  if (!credentials.ok()) return credentials.status();
  // Before anything touches the state dir or the modem: a second agent started by mistake
  // beside a running one must not end that one's pppd before it finds the port taken.
  if (absl::Status free = base::CheckCanListen(*listen); !free.ok()) return free;
  absl::StatusOr<std::unique_ptr<AuditLog>> audit = AuditLog::Open(
      AuditLogOptions{s.audit_log, int64_t{s.audit_log_max_mb} << 20}, *options_.clock);
  if (!audit.ok()) return audit.status();
  audit_ = std::move(*audit);
  if (s.audit_log.empty()) spdlog::warn("no --audit-log: mutating calls are not recorded");
  if (s.board_name.empty()) {
    char host[256] = {};
    ::gethostname(host, sizeof(host) - 1);
    s.board_name = host;
  }

  history_ = std::make_unique<HistoryStore>(s.history, *options_.clock);
  hub_.Subscribe([history = history_.get()](const StatusPtr& status) { history->Record(status); });
  s.link.clock = options_.clock;
  s.link.sysfs_net = options_.host.roots.sysfs + "/class/net";
  UsageMeterOptions usage_options;
  usage_options.settings = s.usage;
  usage_options.path = s.link.state_dir + "/usage.pb";
  usage_options.sysfs_net = s.link.sysfs_net;
  usage_options.boot_id_file = options_.host.roots.proc + "/sys/kernel/random/boot_id";
  usage_options.clock = options_.clock;
  usage_ = std::make_unique<UsageMeter>(usage_options, &hub_);
  usage_->ReadBack();  // before the link manager ends a pppd the last run left up
  link_ = std::make_unique<LinkManager>(s.link);
  // Before the config's first dial: a SIM blocked at its cap stays down from the start.
  usage_->Start(link_.get());

  ConfigManagerOptions config_options = options_.config;
  config_options.state_dir = s.link.state_dir;
  config_options.seed = LinkConfig{s.link.settings, s.link.keep_up, {}};
  config_options.clock = options_.clock;
  config_options.on_plans = [usage = usage_.get()](DataPlans plans) {
    usage->SetPlans(std::move(plans));
  };
  // The poller exists only after the config manager; a step before that has nothing to
  // nudge (the first sample follows anyway).
  config_ = std::make_unique<ConfigManager>(
      config_options, link_.get(), [this](const v1::ConfigStep& step) {
        if (poller_) poller_->RequestSample();
        // Applies and confirms are audited as the calls they are; a rollback is the agent's.
        if (step.kind() == v1::CONFIG_STEP_KIND_ROLLED_BACK) {
          audit_->Record(Caller{"cellfleet-agent", "local", Role::kOperator}, "RollbackConfig",
                         step.ShortDebugString(), grpc::Status::OK);
        }
      });

  PollerOptions poller_options;
  poller_options.at_port = s.at_port;
  poller_options.discovery_roots = options_.host.roots;
  poller_options.poll_interval = s.poll_interval;
  poller_options.reattach_interval = options_.reattach_interval;
  poller_options.serial.baud = s.baud;
  poller_options.serial.lock_dir = s.lock_dir;
  poller_options.on_cycle = options_.on_poll_cycle;
  poller_options.clock = options_.clock;
  poller_ = std::make_unique<ModemPoller>(poller_options, &hub_);
  link_->SetOnChange([poller = poller_.get()] { poller->RequestSample(); });
  // Without a usable state dir the agent still serves status and dials with the settings
  // file's connection; only config push is off (its calls say why).
  if (absl::Status started = config_->Start(); !started.ok()) {
    spdlog::error("connection config push is off: {} (see --state-dir)", started);
  } else {
    config_usable_ = true;
    OpenHistory(s.link.state_dir);
  }

  authorizer_ = std::make_unique<Authorizer>(s.roles, s.unauthenticated_role);
  limits_ = std::make_unique<CallLimits>(CallLimitSettings{}, *options_.clock);
  at_policy_ = std::make_unique<AtPolicy>(s.at_commands);
  at_ = std::make_unique<AtPassthrough>(poller_.get(), link_.get(), *options_.clock);
  DoctorOptions doctor_options;
  doctor_options.host = options_.host;
  doctor_options.at_port = s.at_port;
  doctor_options.version = options_.version;
  doctor_options.poll_interval = s.poll_interval;
  doctor_options.config_push = config_usable_;
  doctor_options.clock = options_.clock;
  doctor_options.started = options_.clock->Now();
  doctor_ = std::make_unique<Doctor>(doctor_options, poller_.get(), link_.get(), &hub_);
  recovery_ = std::make_unique<RecoveryManager>(s.recovery, RecoveryHardwareOf(s), poller_.get(),
                                                link_.get(), at_.get(), &hub_, audit_.get(),
                                                *options_.clock);
  ServiceParts parts;
  parts.hub = &hub_;
  parts.history = history_.get();
  parts.authorizer = authorizer_.get();
  parts.limits = limits_.get();
  parts.audit = audit_.get();
  parts.link = link_.get();
  parts.config = config_usable_ ? config_.get() : nullptr;
  parts.at = at_.get();
  parts.doctor = doctor_.get();
  parts.recovery = recovery_.get();
  parts.usage = usage_.get();
  parts.at_policy = at_policy_.get();
  parts.clock = options_.clock;
  if (!s.tls.cert.empty()) {
    certificates_ = std::make_unique<CertificateStore>(
        CertificatePaths{s.tls.cert, s.tls.key, s.tls.client_ca, s.tls.crl_dir});
    parts.certificates = certificates_.get();
  }
  service_ = std::make_unique<AgentService>(
      parts, ServiceInfo{s.board_name, options_.version, s.poll_interval});
  grpc::ServerBuilder builder;
  int bound_port = 0;
  builder.AddListeningPort(listen->ToString(), *credentials, &bound_port);
  // Relayed operators reach the same server, TLS and all, through a socket of its own.
  const std::string relay_socket = s.link.state_dir + "/relay.sock";
  if (!s.gateway.address.empty()) {
    std::remove(relay_socket.c_str());  // a previous run's, if it ended without a word
    builder.AddListeningPort("unix:" + relay_socket, *credentials);
  }
  builder.RegisterService(service_.get());
  SetServerLimits(builder);
  RefuseSharedPort(builder);
  if (!s.reflection) builder.SetOption(WithoutReflection());
  server_ = builder.BuildAndStart();
  if (server_ == nullptr || bound_port == 0) return base::ListenFailure(*listen);
  listen->port = bound_port;
  address_ = listen->ToString();
  // Every sample carries what is not the modem's, each part written by its owner.
  poller_->AddStatusPart(link_.get());
  if (config_usable_) poller_->AddStatusPart(config_.get());
  poller_->AddStatusPart(recovery_.get());
  poller_->AddStatusPart(usage_.get());
  if (!s.tls.cert.empty()) {
    certificate_ = std::make_unique<CertificateStatus>(s.tls.cert);
    poller_->AddStatusPart(certificate_.get());
  }
  recovery_->Start();
  poller_->Start();
  if (!s.gateway.address.empty()) {
    absl::StatusOr<GatewayLinkOptions> dial_out = DialOutOptions(s, relay_socket, options_.version);
    if (!dial_out.ok()) return dial_out.status();
    gateway_ = std::make_unique<GatewayLink>(*std::move(dial_out));
    gateway_->Start();
  }
  spdlog::info("serving board \"{}\" (modem port {}) on {} ({})", s.board_name, s.at_port, address_,
               s.tls.cert.empty() ? "plaintext" : (s.tls.client_ca.empty() ? "TLS" : "mutual TLS"));
  return absl::OkStatus();
}

RecoveryHardware Agent::RecoveryHardwareOf(const AgentSettings& s) const {
  RecoveryHardware hardware;
  hardware.reset_usb = [roots = options_.host.roots, port = s.at_port,
                        reset = options_.reset_usb_device]() -> absl::Status {
    absl::StatusOr<std::string> node = modem::FindModemUsbNode(port, roots);
    if (!node.ok()) return node.status();
    spdlog::warn("recovery: USB reset of {}", *node);
    return reset(*node);
  };
  if (s.power_line) {
    hardware.power_off_time = s.power_line->off_time;
    absl::StatusOr<std::unique_ptr<modem::PowerSwitch>> power =
        options_.open_power_switch(*s.power_line);
    if (power.ok()) {
      hardware.power = std::move(*power);
    } else {
      // The agent serves anyway; the power cycle then fails with the reason.
      hardware.power_unavailable =
          absl::StrCat("the power line is unusable: ", power.status().message());
      spdlog::error("recovery: {}", hardware.power_unavailable);
    }
  }
  return hardware;
}

void Agent::OpenHistory(const std::string& state_dir) {
  absl::StatusOr<HistoryLoaded> loaded = history_->Open(state_dir + "/history.log");
  if (!loaded.ok()) {
    spdlog::error("the history is kept in memory only: {}", loaded.status());
    return;
  }
  run_marker_ = state_dir + "/agent.run";
  std::string detail =
      absl::StrCat("agent ", options_.version, " started; ",
                   BeginRun(run_marker_, options_.host.roots.proc + "/sys/kernel/random/boot_id",
                            loaded->entries > 0));
  if (loaded->dropped_bytes > 0) {
    absl::StrAppend(&detail, "; ", loaded->dropped_bytes,
                    " bytes of a write the end cut short were dropped from the history");
    spdlog::warn("history: {}", detail);
  }
  v1::ModemEvent started;
  started.set_kind(v1::EVENT_KIND_AGENT_STARTED);
  started.set_detail(detail);
  history_->RecordEvent(std::move(started), options_.clock->Now());
  spdlog::info("history: {} entries read back from {}/history.log", loaded->entries, state_dir);
}

Agent::~Agent() { Stop(); }

void Agent::Stop() {
  if (stopped_) return;
  stopped_ = true;
  if (gateway_) gateway_->Stop();  // no relayed session is left on the server
  hub_.Close();                    // every stream ends with UNAVAILABLE "agent is shutting down"
  if (server_) {
    server_->Shutdown(std::chrono::system_clock::now() +
                      absl::ToChronoMilliseconds(options_.shutdown_grace));
  }
  if (certificates_) certificates_->Stop();  // a call it was given ends UNAVAILABLE
  if (config_) config_->Stop();              // nothing new reaches the link or the poller
  if (doctor_) doctor_->Stop();              // a run in flight answers with what it has
  if (recovery_) recovery_->Stop();          // no step starts; one under way runs out alone
  if (link_) link_->SetOnChange(nullptr);    // the poller goes before the link...
  if (poller_) poller_->Stop();
  if (history_) history_->Stop();  // no sample comes any more: what is pending goes to disk
  if (usage_) usage_->Stop();      // likewise: the ledger is saved
  usage_.reset();                  // it tells the link about caps: before the link goes
  if (!run_marker_.empty()) EndRun(run_marker_);
  link_.reset();  // ...whose hang-up comes last: pppd ends gracefully, reaped
  config_.reset();
  server_.reset();
  gateway_.reset();
  service_.reset();
  at_.reset();
  doctor_.reset();
  recovery_.reset();
  audit_.reset();  // after every call that could still record
}

}  // namespace cellfleet::agent
