#include "bench/byte_counting_proxy.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <vector>

namespace cellfleet::bench {

ByteCountingProxy::ByteCountingProxy(int target_port) : target_port_(target_port) {
  listen_fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr));
  ::listen(listen_fd_, 16);
  socklen_t len = sizeof(addr);
  ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len);
  port_ = ntohs(addr.sin_port);
  stop_fd_ = ::eventfd(0, EFD_CLOEXEC);
  thread_ = std::thread([this] { Run(); });
}

ByteCountingProxy::~ByteCountingProxy() {
  uint64_t one = 1;
  [[maybe_unused]] ssize_t n = ::write(stop_fd_, &one, sizeof(one));
  thread_.join();
  ::close(listen_fd_);
  ::close(stop_fd_);
}

void ByteCountingProxy::Run() {
  struct Pair {
    int client;
    int server;
  };
  std::vector<Pair> pairs;
  while (true) {
    std::vector<pollfd> fds = {{stop_fd_, POLLIN, 0}, {listen_fd_, POLLIN, 0}};
    for (const Pair& p : pairs) {
      fds.push_back({p.client, POLLIN, 0});
      fds.push_back({p.server, POLLIN, 0});
    }
    if (::poll(fds.data(), fds.size(), 1000) < 0) continue;
    if (fds[0].revents) break;
    if (fds[1].revents & POLLIN) {
      int client = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
      int server = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
      sockaddr_in addr{};
      addr.sin_family = AF_INET;
      addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
      addr.sin_port = htons(static_cast<uint16_t>(target_port_));
      if (client >= 0 && ::connect(server, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0) {
        pairs.push_back({client, server});
      } else {
        ::close(client);
        ::close(server);
      }
    }
    std::vector<Pair> alive;
    for (size_t i = 0; i < pairs.size(); ++i) {
      bool open = true;
      for (int side = 0; side < 2 && open; ++side) {
        const pollfd& pfd = fds[2 + 2 * i + side];
        if (!(pfd.revents & (POLLIN | POLLHUP))) continue;
        char buffer[65536];
        ssize_t n = ::read(pfd.fd, buffer, sizeof(buffer));
        if (n <= 0) {
          open = false;
          break;
        }
        int to = side == 0 ? pairs[i].server : pairs[i].client;
        (side == 0 ? up_ : down_) += static_cast<uint64_t>(n);
        for (ssize_t sent = 0; sent < n;) {
          ssize_t w = ::write(to, buffer + sent, static_cast<size_t>(n - sent));
          if (w <= 0) {
            open = false;
            break;
          }
          sent += w;
        }
      }
      if (open) {
        alive.push_back(pairs[i]);
      } else {
        ::close(pairs[i].client);
        ::close(pairs[i].server);
      }
    }
    pairs.swap(alive);
  }
  for (const Pair& p : pairs) {
    ::close(p.client);
    ::close(p.server);
  }
}

}  // namespace cellfleet::bench
