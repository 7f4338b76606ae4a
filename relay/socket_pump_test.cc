// The pump against a real gRPC server on loopback that echoes what it relays (the
// gateway's OperatorGateway.Connect, served by the test), and a socketpair standing in
// for the connection that is relayed.
#include "relay/socket_pump.h"

#include <sys/socket.h>
#include <unistd.h>

#include <thread>

#include "cellfleet/v1/gateway.grpc.pb.h"
#include "gtest/gtest.h"

namespace cellfleet::relay {
namespace {

class EchoGateway final : public v1::OperatorGateway::Service {
 public:
  grpc::Status Connect(grpc::ServerContext*,
                       grpc::ServerReaderWriter<v1::RelayBytes, v1::RelayBytes>* stream) override {
    v1::RelayBytes chunk;
    while (stream->Read(&chunk)) {
      if (chunk.data() == "fail") return grpc::Status(grpc::StatusCode::UNAVAILABLE, "gone");
      stream->Write(chunk);
    }
    return grpc::Status::OK;
  }
};

class SocketPumpTest : public ::testing::Test {
 protected:
  void SetUp() override {
    grpc::ServerBuilder builder;
    int port = 0;
    builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &port);
    builder.RegisterService(&service_);
    server_ = builder.BuildAndStart();
    ASSERT_NE(port, 0);
    stub_ = v1::OperatorGateway::NewStub(grpc::CreateChannel("127.0.0.1:" + std::to_string(port),
                                                             grpc::InsecureChannelCredentials()));
    ASSERT_EQ(::socketpair(AF_UNIX, SOCK_STREAM, 0, fds_), 0);
  }
  void TearDown() override {
    ::close(fds_[0]);
    ::close(fds_[1]);
    server_->Shutdown();
  }

  // Reads from the test's end until `n` bytes or the end.
  std::string ReadUpTo(size_t n) {
    std::string got;
    char buffer[4096];
    while (got.size() < n) {
      const ssize_t r = ::read(fds_[0], buffer, sizeof(buffer));
      if (r <= 0) break;
      got.append(buffer, static_cast<size_t>(r));
    }
    return got;
  }

  EchoGateway service_;
  std::unique_ptr<grpc::Server> server_;
  std::unique_ptr<v1::OperatorGateway::Stub> stub_;
  int fds_[2];  // [0] the test's, [1] the pump's
};

TEST_F(SocketPumpTest, BytesGoBothWaysInOrderAndTheSocketsEndEndsTheStream) {
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(20));
  auto stream = stub_->Connect(&context);
  PumpTotals totals;
  std::thread pump([&] { totals = PumpSocketAndStream(fds_[1], *stream, context, "hello "); });
  // More than one chunk's worth, so the order across messages is checked too.
  std::string sent;
  for (int i = 0; sent.size() < 100'000; ++i) sent += std::to_string(i) + ",";
  ASSERT_EQ(::write(fds_[0], sent.data(), sent.size()), static_cast<ssize_t>(sent.size()));
  EXPECT_EQ(ReadUpTo(6 + sent.size()), "hello " + sent);
  ::shutdown(fds_[0], SHUT_WR);  // the relayed connection closes
  EXPECT_EQ(ReadUpTo(1), "") << "the stream's end reaches the socket";
  pump.join();
  EXPECT_TRUE(stream->Finish().ok());
  EXPECT_EQ(totals.to_stream, 6 + sent.size());
  EXPECT_EQ(totals.to_socket, 6 + sent.size());
}

TEST_F(SocketPumpTest, AStreamThatFailsClosesTheSocket) {
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(20));
  auto stream = stub_->Connect(&context);
  std::thread pump([&] { PumpSocketAndStream(fds_[1], *stream, context); });
  ASSERT_EQ(::write(fds_[0], "ping", 4), 4);
  EXPECT_EQ(ReadUpTo(4), "ping");  // positive control: it relays
  ASSERT_EQ(::write(fds_[0], "fail", 4), 4);
  EXPECT_EQ(ReadUpTo(1), "") << "the socket is closed when the stream fails";
  pump.join();  // without the test closing its end: the pump ended by itself
  grpc::Status status = stream->Finish();
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAVAILABLE);
  EXPECT_EQ(status.error_message(), "gone");
}

}  // namespace
}  // namespace cellfleet::relay
