// The fan-out: one result per board whatever happens, and progress once it takes long.
#include "fleet/fanout.h"

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace cellfleet::fleet {
namespace {

// A loopback listener that never answers: connections wait in its backlog, so a call
// to it lasts until its deadline.
class SilentListener {
 public:
  SilentListener() {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr));
    ::listen(fd_, 16);
    socklen_t len = sizeof(addr);
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    address_ = absl::StrCat("127.0.0.1:", ntohs(addr.sin_port));
  }
  ~SilentListener() { ::close(fd_); }
  const std::string& address() const { return address_; }

 private:
  int fd_ = -1;
  std::string address_;
};

void StartGetStatus(v1::ModemAgent::Stub* stub, grpc::ClientContext* context,
                    v1::GetStatusResponse* response, std::function<void(grpc::Status)> done) {
  static const v1::GetStatusRequest kRequest;
  stub->async()->GetStatus(context, &kRequest, response, std::move(done));
}

TEST(FanOutTest, SlowFanOutsReportProgressAndEveryBoardGetsOneResult) {
  SilentListener silent;
  std::vector<Board> boards;
  for (int i = 0; i < 3; ++i) boards.push_back({absl::StrCat("b", i), silent.address(), {}});
  FanOutOptions options;
  options.deadline = absl::Milliseconds(1600);
  std::vector<std::pair<size_t, size_t>> reports;
  options.progress = [&](size_t finished, size_t total) { reports.emplace_back(finished, total); };
  auto results = FanOut<v1::GetStatusResponse>(boards, options, StartGetStatus);
  ASSERT_EQ(results.size(), 3u);
  for (const auto& result : results) {
    EXPECT_EQ(result.status.error_code(), grpc::StatusCode::DEADLINE_EXCEEDED)
        << result.status.error_message();
  }
  ASSERT_GE(reports.size(), 2u);  // at least one while waiting, one at the end
  EXPECT_EQ(reports.front(), std::make_pair(size_t{0}, size_t{3}));
  EXPECT_EQ(reports.back(), std::make_pair(size_t{3}, size_t{3}));
}

TEST(FanOutTest, QuickFanOutsSayNothing) {
  std::vector<Board> boards = {{"b", "127.0.0.1:1", {}}};  // refused at once
  FanOutOptions options;
  int reports = 0;
  options.progress = [&](size_t, size_t) { ++reports; };
  auto results = FanOut<v1::GetStatusResponse>(boards, options, StartGetStatus);
  ASSERT_EQ(results.size(), 1u);
  EXPECT_FALSE(results[0].status.ok());
  EXPECT_EQ(reports, 0);
}

}  // namespace
}  // namespace cellfleet::fleet
