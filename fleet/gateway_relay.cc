#include "fleet/gateway_relay.h"

#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <map>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "relay/relay_names.h"
#include "relay/socket_pump.h"

namespace cellfleet::fleet {

struct GatewayRelay::Connection {
  int fd = -1;
  grpc::ClientContext context;
};

namespace {

constexpr size_t kMaxRequestBytes = 4096;

// Reads the CONNECT request's head (up to the blank line); what came after it, if
// anything, goes to `rest`. Empty on a malformed or overlong request.
std::string ReadRequestHead(int fd, std::string& rest) {
  std::string head;
  char buffer[512];
  while (head.size() < kMaxRequestBytes) {
    const ssize_t n = ::recv(fd, buffer, sizeof(buffer), 0);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return "";
    head.append(buffer, static_cast<size_t>(n));
    const size_t end = head.find("\r\n\r\n");
    if (end != std::string::npos) {
      rest = head.substr(end + 4);
      head.resize(end);
      return head;
    }
  }
  return "";
}

void Reply(int fd, absl::string_view status_line) {
  const std::string reply = absl::StrCat("HTTP/1.1 ", status_line, "\r\n\r\n");
  (void)::send(fd, reply.data(), reply.size(), MSG_NOSIGNAL);
}

// The HTTP status for a gateway's refusal: the channel's error then names it
// ("HTTP proxy returned response code 404").
absl::string_view HttpStatusOf(grpc::StatusCode code) {
  switch (code) {
    case grpc::StatusCode::NOT_FOUND:
      return "404 Board Not Attached";
    case grpc::StatusCode::PERMISSION_DENIED:
    case grpc::StatusCode::UNAUTHENTICATED:
      return "403 Operator Not Admitted";
    case grpc::StatusCode::RESOURCE_EXHAUSTED:
      return "429 Too Many Sessions";
    case grpc::StatusCode::DEADLINE_EXCEEDED:
      return "504 Board Did Not Answer";
    default:
      return "502 Gateway Unavailable";
  }
}

}  // namespace

absl::StatusOr<std::unique_ptr<GatewayRelay>> GatewayRelay::Start(const std::string& gateway,
                                                                  const ChannelOptions& options) {
  if (options.ca_pem.empty() || options.cert_pem.empty()) {
    return absl::FailedPreconditionError(absl::StrCat(
        "a board behind the gateway ", gateway,
        " needs TLS and a client certificate (--ca, --cert, --key): the gateway admits "
        "operators by it, and the board's agent ends the TLS"));
  }
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return absl::InternalError(absl::StrCat("socket: ", std::strerror(errno)));
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof(address);
  if (::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0 ||
      ::listen(fd, 1024) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
    const int error = errno;
    ::close(fd);
    return absl::InternalError(
        absl::StrCat("the gateway relay's listener: ", std::strerror(error)));
  }
  ChannelOptions to_gateway = options;
  to_gateway.server_name.clear();  // the gateway's certificate names the gateway
  Board gateway_board;
  gateway_board.address = gateway;
  std::unique_ptr<GatewayRelay> relay(
      new GatewayRelay(fd, ntohs(address.sin_port), MakeChannel(gateway_board, to_gateway)));
  relay->acceptor_ = std::thread([r = relay.get()] { r->AcceptLoop(); });
  return relay;
}

GatewayRelay::GatewayRelay(int listen_fd, int port, std::shared_ptr<grpc::Channel> gateway)
    : listen_fd_(listen_fd), port_(port), stub_(v1::OperatorGateway::NewStub(gateway)) {}

GatewayRelay::~GatewayRelay() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
    for (Connection* connection : connections_) {
      connection->context.TryCancel();
      ::shutdown(connection->fd, SHUT_RDWR);
    }
  }
  ::shutdown(listen_fd_, SHUT_RDWR);
  if (acceptor_.joinable()) acceptor_.join();
  absl::MutexLock lock(&mu_);
  mu_.Await(absl::Condition(
      +[](std::set<Connection*>* open) { return open->empty(); }, &connections_));
  ::close(listen_fd_);
}

void GatewayRelay::AcceptLoop() {
  for (;;) {
    const int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
    absl::MutexLock lock(&mu_);
    if (stopping_) {
      if (fd >= 0) ::close(fd);
      return;
    }
    if (fd < 0) {
      if (errno == EINTR || errno == ECONNABORTED || errno == EMFILE || errno == ENFILE) continue;
      return;
    }
    // Each connection's thread ends on its own (its connection removes itself): the
    // relay lives as long as the process, and holds no finished thread meanwhile.
    auto* connection = new Connection();
    connection->fd = fd;
    connections_.insert(connection);
    std::thread([this, connection] { Serve(connection); }).detach();
  }
}

void GatewayRelay::Serve(Connection* connection) {
  const int fd = connection->fd;
  std::string rest;
  const std::string head = ReadRequestHead(fd, rest);
  // "CONNECT board:443 HTTP/1.1": the board is the authority's host.
  std::vector<absl::string_view> words = absl::StrSplit(head, absl::MaxSplits(' ', 2));
  const std::string board =
      words.size() == 3 && words[0] == "CONNECT"
          ? std::string(absl::string_view(words[1]).substr(0, words[1].rfind(':')))
          : "";
  if (board.empty()) {
    Reply(fd, "400 Bad Request");
  } else {
    connection->context.AddMetadata(relay::kBoardMetadata, board);
    auto stream = stub_->Connect(&connection->context);
    // Sent when the board answered, or with the gateway's refusal.
    stream->WaitForInitialMetadata();
    if (connection->context.GetServerInitialMetadata().count(relay::kSplicedMetadata) != 0) {
      Reply(fd, "200 Connection Established");
      relay::PumpSocketAndStream(fd, *stream, connection->context, std::move(rest));
      stream->Finish();
    } else {
      stream->WritesDone();
      Reply(fd, HttpStatusOf(stream->Finish().error_code()));
    }
  }
  ::close(fd);
  absl::MutexLock lock(&mu_);
  connections_.erase(connection);
  delete connection;
}

absl::StatusOr<GatewayRelay*> RelayTo(const std::string& gateway, const ChannelOptions& options) {
  static absl::Mutex mu(absl::kConstInit);
  static auto* relays = new std::map<std::string, std::unique_ptr<GatewayRelay>>();
  // One per gateway and operator certificate: the gateway admits by the certificate.
  const std::string key = absl::StrCat(gateway, "\n", options.cert_pem);
  absl::MutexLock lock(&mu);
  auto it = relays->find(key);
  if (it != relays->end()) return it->second.get();
  absl::StatusOr<std::unique_ptr<GatewayRelay>> relay = GatewayRelay::Start(gateway, options);
  if (!relay.ok()) return relay.status();
  GatewayRelay* started = relay->get();
  (*relays)[key] = *std::move(relay);
  return started;
}

}  // namespace cellfleet::fleet
