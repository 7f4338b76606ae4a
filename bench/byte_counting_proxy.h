// A loopback TCP forwarder that counts the bytes crossing it in each direction, to
// measure what a stream costs on the wire (TLS records and HTTP/2 framing included).
#ifndef CELLFLEET_BENCH_BYTE_COUNTING_PROXY_H_
#define CELLFLEET_BENCH_BYTE_COUNTING_PROXY_H_

#include <atomic>
#include <cstdint>
#include <thread>

namespace cellfleet::bench {

class ByteCountingProxy {
 public:
  // Listens on 127.0.0.1 (an ephemeral port) and forwards each connection to
  // 127.0.0.1:`target_port`.
  explicit ByteCountingProxy(int target_port);
  ~ByteCountingProxy();

  int port() const { return port_; }
  uint64_t client_to_server() const { return up_.load(); }
  uint64_t server_to_client() const { return down_.load(); }

 private:
  void Run();

  int target_port_;
  int listen_fd_ = -1;
  int port_ = 0;
  int stop_fd_ = -1;
  std::atomic<uint64_t> up_{0};
  std::atomic<uint64_t> down_{0};
  std::thread thread_;
};

}  // namespace cellfleet::bench

#endif  // CELLFLEET_BENCH_BYTE_COUNTING_PROXY_H_
