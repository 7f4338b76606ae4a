#include "agent/dialout/gateway_link.h"

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <climits>
#include <cstring>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "base/atomic_file.h"
#include "base/clock.h"
#include "base/file_contents.h"
#include "relay/relay_names.h"
#include "relay/socket_pump.h"
#include "spdlog/spdlog.h"

namespace cellfleet::agent {

using AttachStream = grpc::ClientReaderWriter<v1::BoardToGateway, v1::GatewayToBoard>;

struct GatewayLink::Session {
  uint64_t id = 0;
  grpc::ClientContext context;
  std::thread thread;
  std::atomic<bool> done{false};
};

namespace {

std::shared_ptr<grpc::Channel> GatewayChannel(const GatewayLinkOptions& o,
                                              const std::string& cert_pem,
                                              const std::string& key_pem) {
  grpc::SslCredentialsOptions ssl;
  ssl.pem_root_certs = o.ca_pem;
  ssl.pem_cert_chain = cert_pem;
  ssl.pem_private_key = key_pem;
  grpc::ChannelArguments args;
  // The link's own pings (KeepAlive) keep the carrier's mapping, timed to what it keeps;
  // gRPC's would cost the metered link again, and its bandwidth probes more.
  args.SetInt(GRPC_ARG_KEEPALIVE_TIME_MS, INT_MAX);
  args.SetInt(GRPC_ARG_HTTP2_BDP_PROBE, 0);
  args.SetInt(GRPC_ARG_ENABLE_RETRIES, 0);
  if (!o.settings.server_name.empty()) args.SetSslTargetNameOverride(o.settings.server_name);
  return grpc::CreateCustomChannel(o.settings.address, grpc::SslCredentials(ssl), args);
}

// A connection to the agent's own TLS listener, which the relayed bytes are for.
int ConnectUnix(const std::string& path) {
  sockaddr_un address{};
  if (path.size() >= sizeof(address.sun_path)) return -1;
  address.sun_family = AF_UNIX;
  std::memcpy(address.sun_path, path.data(), path.size());
  const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  if (::connect(fd, reinterpret_cast<const sockaddr*>(&address), sizeof(address)) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

// The link's times are the network's: real time, as a dial's deadline.
absl::Time Now() { return base::Clock::Real().Now(); }

KeepaliveBounds BoundsOf(const DialOutSettings& s) {
  return KeepaliveBounds{s.keepalive, s.keepalive_min, s.keepalive_max};
}

// What an earlier run learned of the carrier, or a fresh start.
KeepaliveLearner ReadLearner(const GatewayLinkOptions& o) {
  const KeepaliveBounds bounds = BoundsOf(o.settings);
  if (o.keepalive_file.empty()) return KeepaliveLearner(bounds);
  absl::StatusOr<std::string> text = base::ReadFileContents(o.keepalive_file);
  if (!text.ok()) return KeepaliveLearner(bounds);  // none yet
  absl::StatusOr<KeepaliveLearner> learned =
      KeepaliveLearner::Restore(std::string(absl::StripAsciiWhitespace(*text)), bounds);
  if (!learned.ok()) {
    spdlog::warn("gateway: {}: {}; learning the keepalive afresh", o.keepalive_file,
                 std::string(learned.status().message()));
    return KeepaliveLearner(bounds);
  }
  spdlog::info("gateway: keepalive every {} (learned: {})",
               absl::FormatDuration(learned->interval()), learned->Save());
  return *learned;
}

// The first reconnect after a loss waits anywhere in [0, 10 s): a fleet whose gateway
// restarted comes back spread over that window, not in one instant.
constexpr base::BackoffOptions kReconnect{absl::Seconds(5), absl::Minutes(5), 2, 1.0};

}  // namespace

GatewayLink::GatewayLink(GatewayLinkOptions options)
    : options_(std::move(options)), backoff_(kReconnect), learner_(ReadLearner(options_)) {}

absl::Duration GatewayLink::keepalive_interval() const {
  absl::MutexLock lock(&mu_);
  return learner_.interval();
}

void GatewayLink::Learned(bool survived, absl::Duration idle) {
  if (survived) {
    learner_.Survived(idle);
  } else {
    learner_.Dropped(idle);
  }
  spdlog::info("gateway: a keepalive after {} idle was {}; next after {}",
               absl::FormatDuration(idle), survived ? "answered" : "not answered",
               absl::FormatDuration(learner_.interval()));
  if (options_.keepalive_file.empty()) return;
  if (absl::Status saved =
          base::WriteFileAtomically(options_.keepalive_file, learner_.Save() + "\n");
      !saved.ok()) {
    spdlog::warn("gateway: cannot keep what the keepalive learned: {}",
                 std::string(saved.message()));
  }
}

GatewayLink::~GatewayLink() { Stop(); }

void GatewayLink::Start() {
  thread_ = std::thread([this] { Run(); });
}

void GatewayLink::Stop() {
  {
    absl::MutexLock lock(&mu_);
    if (stopping_ && !thread_.joinable()) return;
    stopping_ = true;
    if (attach_context_ != nullptr) attach_context_->TryCancel();
    for (const std::unique_ptr<Session>& session : sessions_) session->context.TryCancel();
  }
  if (thread_.joinable()) thread_.join();
  std::list<std::unique_ptr<Session>> sessions;
  {
    absl::MutexLock lock(&mu_);
    sessions.swap(sessions_);
    // Offered before the attachment saw the cancel: cut them too, or their join would
    // wait for the operator to hang up.
    for (const std::unique_ptr<Session>& session : sessions) session->context.TryCancel();
  }
  for (const std::unique_ptr<Session>& session : sessions) session->thread.join();
}

bool GatewayLink::attached() const {
  absl::MutexLock lock(&mu_);
  return attached_;
}

uint64_t GatewayLink::attachments() const {
  absl::MutexLock lock(&mu_);
  return attachments_;
}

void GatewayLink::Run() {
  std::string cert_pem = options_.cert_pem, key_pem = options_.key_pem;
  for (;;) {
    if (!options_.cert_file.empty()) {  // on the link's own thread: a disk read is fine here
      absl::StatusOr<std::string> cert = base::ReadFileContents(options_.cert_file);
      absl::StatusOr<std::string> key = base::ReadFileContents(options_.key_file);
      if (cert.ok() && key.ok()) {
        cert_pem = *std::move(cert);
        key_pem = *std::move(key);
      }
    }
    auto stub = std::shared_ptr<v1::BoardGateway::Stub>(
        v1::BoardGateway::NewStub(GatewayChannel(options_, cert_pem, key_pem)));
    if (Attach(stub)) backoff_.Reset();
    absl::MutexLock lock(&mu_);
    if (stopping_) return;
    const absl::Duration wait = silent_drop_ ? absl::ZeroDuration() : backoff_.Next();
    silent_drop_ = false;
    mu_.AwaitWithTimeout(absl::Condition(&stopping_), wait);
    if (stopping_) return;
  }
}

bool GatewayLink::Attach(const std::shared_ptr<v1::BoardGateway::Stub>& stub) {
  grpc::ClientContext context;
  {
    absl::MutexLock lock(&mu_);
    if (stopping_) return false;
    attach_context_ = &context;
  }
  std::unique_ptr<AttachStream> stream = stub->Attach(&context);
  stream->WaitForInitialMetadata();
  v1::BoardToGateway hello;
  hello.mutable_hello()->set_agent_version(options_.agent_version);
  bool attached = WriteLocked(*stream, hello);
  std::thread pinger;
  if (attached) {
    absl::MutexLock lock(&mu_);
    attached_ = true;
    attachment_over_ = false;
    ++attachments_;
    last_activity_ = Now();
    spdlog::info("gateway: attached to {}", options_.settings.address);
    pinger = std::thread([&] { KeepAlive(context, *stream); });
  }
  v1::GatewayToBoard in;
  while (attached && stream->Read(&in)) {
    {
      absl::MutexLock lock(&mu_);
      last_activity_ = Now();
      if (in.has_pong()) ++pongs_;
    }
    if (in.has_session()) Offered(stub, in.session().session(), *stream);
  }
  {
    absl::MutexLock lock(&mu_);
    attached_ = false;
    attachment_over_ = true;
    attach_context_ = nullptr;
  }
  if (pinger.joinable()) pinger.join();
  const grpc::Status status = stream->Finish();
  absl::MutexLock lock(&mu_);
  if (!stopping_) {
    spdlog::warn("gateway: {} {}: {} ({})", attached ? "attachment to" : "cannot attach to",
                 options_.settings.address, status.error_message(),
                 static_cast<int>(status.error_code()));
  }
  ReapSessions();
  return attached;
}

void GatewayLink::KeepAlive(grpc::ClientContext& context, AttachStream& stream) {
  const DialOutSettings& s = options_.settings;
  absl::MutexLock lock(&mu_);
  uint64_t sequence = 0;
  // A silence found after the link was opened again is the carrier's word on the new
  // mapping too; the learner hears only pings that follow a full interval of idleness.
  auto over = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return attachment_over_ || stopping_; };
  while (!over()) {
    const absl::Time due = last_activity_ + learner_.interval();
    if (Now() < due) {
      mu_.AwaitWithDeadline(absl::Condition(&over), due);
      continue;
    }
    const uint64_t pongs = pongs_;
    v1::BoardToGateway ping;
    ping.mutable_ping()->set_sequence(++sequence);
    const absl::Duration idle = Now() - last_activity_;
    mu_.Unlock();
    const bool sent = WriteLocked(stream, ping);
    mu_.Lock();
    if (!sent) return;  // the reader sees the attachment's end
    auto answered = [&]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return pongs_ > pongs || over(); };
    mu_.AwaitWithTimeout(absl::Condition(&answered), s.keepalive_timeout);
    if (pongs_ > pongs) {
      Learned(/*survived=*/true, idle);
      continue;
    }
    if (over()) return;
    Learned(/*survived=*/false, idle);
    // Silence after an idle spell: the carrier's NAT forgot the connection, and nothing
    // from the gateway can reach the board any more. Attach again at once.
    spdlog::warn("gateway: no answer to a keepalive within {} after {} idle: attaching again",
                 absl::FormatDuration(s.keepalive_timeout), absl::FormatDuration(idle));
    silent_drop_ = true;
    context.TryCancel();
    return;
  }
}

void GatewayLink::Offered(const std::shared_ptr<v1::BoardGateway::Stub>& stub, uint64_t session,
                          AttachStream& stream) {
  std::string refusal;
  {
    absl::MutexLock lock(&mu_);
    ReapSessions();
    if (stopping_) {
      refusal = "the agent is stopping";
    } else if (static_cast<int>(sessions_.size()) >= options_.settings.max_sessions) {
      refusal = absl::StrCat("the board relays ", sessions_.size(), " sessions, its most");
    } else {
      auto relayed = std::make_unique<Session>();
      relayed->id = session;
      relayed->context.AddMetadata(relay::kSessionMetadata, std::to_string(session));
      Session* raw = relayed.get();
      relayed->thread = std::thread([this, stub, raw] { RelaySession(*stub, raw); });
      sessions_.push_back(std::move(relayed));
    }
  }
  if (refusal.empty()) return;
  v1::BoardToGateway refused;
  refused.mutable_refused()->set_session(session);
  refused.mutable_refused()->set_reason(refusal);
  WriteLocked(stream, refused);
}

void GatewayLink::RelaySession(v1::BoardGateway::Stub& stub, Session* session) {
  const int fd = ConnectUnix(options_.relay_socket);
  if (fd < 0) {
    spdlog::error("gateway: session {}: cannot reach the agent's relay listener {}: {}",
                  session->id, options_.relay_socket, std::strerror(errno));
    session->context.TryCancel();  // the gateway ends the operator's connection
  }
  std::unique_ptr<grpc::ClientReaderWriter<v1::RelayBytes, v1::RelayBytes>> stream =
      stub.Relay(&session->context);
  if (fd >= 0) {
    relay::PumpSocketAndStream(fd, *stream, session->context);
    ::close(fd);
  } else {
    stream->WritesDone();
  }
  stream->Finish();
  session->done = true;
}

bool GatewayLink::WriteLocked(AttachStream& stream, const v1::BoardToGateway& message) {
  absl::MutexLock lock(&write_mu_);
  const bool written = stream.Write(message);
  absl::MutexLock state(&mu_);
  last_activity_ = Now();
  return written;
}

void GatewayLink::ReapSessions() {
  for (auto it = sessions_.begin(); it != sessions_.end();) {
    if (!(*it)->done) {
      ++it;
      continue;
    }
    (*it)->thread.join();
    it = sessions_.erase(it);
  }
}

}  // namespace cellfleet::agent
