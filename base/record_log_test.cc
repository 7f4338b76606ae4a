#include "base/record_log.h"

#include <signal.h>
#include <sys/resource.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace cellfleet::base {
namespace {

using ::testing::ElementsAre;

std::string TestFile() {
  const std::string path = ::testing::TempDir() + "/record-log-" + std::to_string(::getpid()) +
                           "-" + ::testing::UnitTest::GetInstance()->current_test_info()->name();
  std::filesystem::remove(path);
  return path;
}

void AppendRaw(const std::string& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary | std::ios::app) << bytes;
}

TEST(RecordLogTest, RecordsComeBackInOrderAcrossAppends) {
  const std::string path = TestFile();
  EXPECT_TRUE(ReadRecordLog(path)->records.empty()) << "a missing file has none";
  ASSERT_TRUE(AppendRecords(path, {"one", std::string("t\0o", 3)}, 0600).ok());
  ASSERT_TRUE(AppendRecords(path, {""}, 0600).ok());
  absl::StatusOr<RecordLogContents> read = ReadRecordLog(path);
  ASSERT_TRUE(read.ok());
  EXPECT_THAT(read->records, ElementsAre("one", std::string("t\0o", 3), ""));
  EXPECT_EQ(read->file_bytes, std::filesystem::file_size(path));
  EXPECT_EQ(read->dropped_bytes, 0u);
}

TEST(RecordLogTest, ATornLastWriteIsDroppedAndTheNextAppendFollowsTheLastWholeRecord) {
  const std::string path = TestFile();
  ASSERT_TRUE(AppendRecords(path, {"kept"}, 0600).ok());
  const size_t whole = std::filesystem::file_size(path);
  ASSERT_TRUE(AppendRecords(path, {"torn by a power cut"}, 0600).ok());
  std::filesystem::resize_file(path, std::filesystem::file_size(path) - 5);  // half written
  absl::StatusOr<RecordLogContents> read = ReadRecordLog(path);
  ASSERT_TRUE(read.ok());
  EXPECT_THAT(read->records, ElementsAre("kept"));
  EXPECT_EQ(read->dropped_bytes, 8u + 19u - 5u);
  EXPECT_EQ(std::filesystem::file_size(path), whole) << "the tail is cut off the file";
  ASSERT_TRUE(AppendRecords(path, {"after"}, 0600).ok());
  EXPECT_THAT(ReadRecordLog(path)->records, ElementsAre("kept", "after"));
}

TEST(RecordLogTest, DamageStopsTheReadAtTheLastGoodRecord) {
  const std::string path = TestFile();
  ASSERT_TRUE(AppendRecords(path, {"good", "flipped"}, 0600).ok());
  {
    std::fstream file(path, std::ios::binary | std::ios::in | std::ios::out);
    file.seekp(static_cast<std::streamoff>(std::filesystem::file_size(path) - 1));
    file.put('X');  // one byte of the second record's payload
  }
  EXPECT_THAT(ReadRecordLog(path)->records, ElementsAre("good"));
  // A length no record can have (garbage where a header should be) is damage too.
  const std::string other = path + "-garbage";
  std::filesystem::remove(other);
  ASSERT_TRUE(AppendRecords(other, {"good"}, 0600).ok());
  AppendRaw(other, std::string("\xff\xff\xff\x7f\0\0\0\0garbage", 15));
  absl::StatusOr<RecordLogContents> read = ReadRecordLog(other);
  ASSERT_TRUE(read.ok());
  EXPECT_THAT(read->records, ElementsAre("good"));
  EXPECT_EQ(read->dropped_bytes, 15u);
}

TEST(RecordLogTest, AnAppendThatFailsHalfWayLeavesNoPartBehind) {
  const std::string path = TestFile();
  ASSERT_TRUE(AppendRecords(path, {"before"}, 0600).ok());
  const uintmax_t size = std::filesystem::file_size(path);
  // The disk fills up mid-write: the file may grow only 10 bytes more.
  struct sigaction ignore {
  }, old_action{};
  ignore.sa_handler = SIG_IGN;
  ::sigaction(SIGXFSZ, &ignore, &old_action);
  rlimit old_limit{};
  ::getrlimit(RLIMIT_FSIZE, &old_limit);
  rlimit limit = old_limit;
  limit.rlim_cur = size + 10;
  ::setrlimit(RLIMIT_FSIZE, &limit);
  const absl::StatusOr<size_t> failed = AppendRecords(path, {std::string(100, 'x')}, 0600);
  ::setrlimit(RLIMIT_FSIZE, &old_limit);
  ::sigaction(SIGXFSZ, &old_action, nullptr);
  EXPECT_FALSE(failed.ok());
  EXPECT_EQ(std::filesystem::file_size(path), size) << "the 10 bytes written are cut off";
  ASSERT_TRUE(AppendRecords(path, {"after"}, 0600).ok());
  EXPECT_THAT(ReadRecordLog(path)->records, ElementsAre("before", "after"));
}

TEST(RecordLogTest, ARewriteReplacesEverythingAndOversizedRecordsAreRefused) {
  const std::string path = TestFile();
  ASSERT_TRUE(AppendRecords(path, {"a", "b", "c"}, 0600).ok());
  absl::StatusOr<size_t> size = RewriteRecordLog(path, {"c"}, 0600);
  ASSERT_TRUE(size.ok());
  EXPECT_EQ(*size, std::filesystem::file_size(path));
  EXPECT_THAT(ReadRecordLog(path)->records, ElementsAre("c"));
  EXPECT_EQ(AppendRecords(path, {std::string(kMaxRecordBytes + 1, 'x')}, 0600).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(ReadRecordLog(path)->records, ElementsAre("c")) << "nothing was written";
}

}  // namespace
}  // namespace cellfleet::base
