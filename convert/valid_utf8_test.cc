#include "convert/valid_utf8.h"

#include "absl/strings/str_cat.h"
#include "cellfleet/v1/agent_service.pb.h"
#include "cellfleet/v1/modem_status.pb.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace cellfleet::convert {
namespace {

constexpr char kFffd[] = "\xEF\xBF\xBD";

TEST(ValidUtf8Test, ReplacesEachByteThatIsNotWellFormedUtf8) {
  size_t replaced = 0;
  EXPECT_EQ(WithValidUtf8("Op\xE9ra", &replaced), absl::StrCat("Op", kFffd, "ra"));  // Latin-1
  EXPECT_EQ(WithValidUtf8("Op\xC3\xA9ra", &replaced), "Op\xC3\xA9ra");               // UTF-8 kept
  EXPECT_EQ(WithValidUtf8("\xF0\x9F\x93\xB6", &replaced), "\xF0\x9F\x93\xB6");       // 4 bytes kept
  EXPECT_EQ(replaced, 1u);
  // An overlong form, a surrogate, past U+10FFFF, a sequence cut short: each byte replaced.
  for (const auto& [bad, bytes] :
       std::vector<std::pair<std::string, size_t>>{{"\xC0\xAF", 2},
                                                   {"\xED\xA0\x80", 3},
                                                   {"\xF4\x90\x80\x80", 4},
                                                   {"\xE2\x82", 2},
                                                   {"\xFF", 1},
                                                   {"\x80", 1}}) {
    size_t count = 0;
    std::string expected;
    for (size_t i = 0; i < bytes; ++i) expected += kFffd;
    EXPECT_EQ(WithValidUtf8(bad, &count), expected);
    EXPECT_EQ(count, bytes);
  }
}

// The positive control first: a client's parser refuses such a sample; then, made valid,
// it parses, with every other field as it was.
TEST(ValidUtf8Test, ASampleWithGarbledModemTextParsesOnceMadeValid) {
  v1::ModemStatus status;
  status.mutable_operator_()->set_name("Op\xE9ra");
  status.mutable_identity()->set_model("EC25\xFF");
  status.mutable_identity()->set_imei("866758040000000");
  status.mutable_serving_cell()->set_raw_response("+QENG: \"servingcell\",\"NOCONN\"\x80");
  status.set_at_port("/dev/ttyUSB2");
  v1::RunAtCommandResponse reply;  // repeated strings too
  reply.add_lines("fine");
  reply.add_lines("bad\xC3");
  *reply.mutable_decoded() = status;

  v1::ModemStatus parsed;
  ASSERT_FALSE(parsed.ParseFromString(status.SerializeAsString()))
      << "protobuf must refuse invalid UTF-8 for this test to mean anything";

  EXPECT_EQ(MakeStringsValidUtf8(status), 3u);
  ASSERT_TRUE(parsed.ParseFromString(status.SerializeAsString()));
  EXPECT_EQ(parsed.operator_().name(), absl::StrCat("Op", kFffd, "ra"));
  EXPECT_EQ(parsed.identity().model(), absl::StrCat("EC25", kFffd));
  EXPECT_EQ(parsed.identity().imei(), "866758040000000");
  EXPECT_EQ(parsed.at_port(), "/dev/ttyUSB2");

  EXPECT_EQ(MakeStringsValidUtf8(reply), 4u);
  v1::RunAtCommandResponse parsed_reply;
  ASSERT_TRUE(parsed_reply.ParseFromString(reply.SerializeAsString()));
  EXPECT_THAT(parsed_reply.lines(), ::testing::ElementsAre("fine", absl::StrCat("bad", kFffd)));
  EXPECT_EQ(MakeStringsValidUtf8(reply), 0u) << "valid text is left as it is";
}

}  // namespace
}  // namespace cellfleet::convert
