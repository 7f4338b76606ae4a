#include "relay/socket_pump.h"

#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <thread>

#include "relay/relay_names.h"

namespace cellfleet::relay {
namespace {

bool WriteAll(int fd, const std::string& data) {
  size_t done = 0;
  while (done < data.size()) {
    const ssize_t n = ::send(fd, data.data() + done, data.size() - done, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    done += static_cast<size_t>(n);
  }
  return true;
}

// The socket's bytes onto the stream; its end of file as WritesDone.
uint64_t SocketToStream(int fd, RelayStream& stream, grpc::ClientContext& context,
                        std::string first) {
  uint64_t total = 0;
  v1::RelayBytes chunk;
  if (!first.empty()) {
    total += first.size();
    chunk.set_data(std::move(first));
    if (!stream.Write(chunk)) return total;
  }
  std::string buffer(kChunkBytes, '\0');
  for (;;) {
    const ssize_t n = ::recv(fd, buffer.data(), buffer.size(), 0);
    if (n < 0 && errno == EINTR) continue;
    if (n == 0) {
      stream.WritesDone();
      return total;
    }
    if (n < 0) {  // the socket failed: the stream must not wait for more
      context.TryCancel();
      return total;
    }
    chunk.set_data(buffer.data(), static_cast<size_t>(n));
    total += static_cast<uint64_t>(n);
    if (!stream.Write(chunk)) return total;  // the stream ended; its reader sees why
  }
}

}  // namespace

PumpTotals PumpSocketAndStream(int fd, RelayStream& stream, grpc::ClientContext& context,
                               std::string first) {
  PumpTotals totals;
  std::thread up([&] { totals.to_stream = SocketToStream(fd, stream, context, std::move(first)); });
  v1::RelayBytes chunk;
  while (stream.Read(&chunk)) {
    totals.to_socket += chunk.data().size();
    if (!WriteAll(fd, chunk.data())) {
      context.TryCancel();
      break;
    }
  }
  // The far end is done or gone, and so is the relayed connection (TLS and HTTP/2 do not
  // half-close): the socket's peer sees it closed, and `up`'s read returns.
  ::shutdown(fd, SHUT_RDWR);
  up.join();
  return totals;
}

}  // namespace cellfleet::relay
