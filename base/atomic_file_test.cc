#include "base/atomic_file.h"

#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "gtest/gtest.h"

namespace cellfleet::base {
namespace {

std::string Read(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

class AtomicFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("atomic-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::filesystem::path dir_;
};

TEST_F(AtomicFileTest, ReplacesAFileWholeWithTheGivenMode) {
  const std::string path = dir_ / "ready";
  ASSERT_TRUE(WriteFileAtomically(path, "old\n").ok());
  ASSERT_TRUE(WriteFileAtomically(path, "new content\n", 0600).ok());
  EXPECT_EQ(Read(path), "new content\n");
  struct stat st {};
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(dir_), {}), 1)
      << "no temp file is left beside it";
}

TEST_F(AtomicFileTest, AFailureNamesThePlaceAndChangesNothing) {
  const std::string path = dir_ / "missing-dir" / "file";
  absl::Status written = WriteFileAtomically(path, "x");
  EXPECT_EQ(written.code(), absl::StatusCode::kUnavailable);
  EXPECT_NE(written.message().find("missing-dir"), std::string::npos) << written;
  EXPECT_FALSE(std::filesystem::exists(path));
}

TEST_F(AtomicFileTest, StagedFilesThatAreNotCommittedLeaveNoTrace) {
  const std::string a = dir_ / "a";
  ASSERT_TRUE(WriteFileAtomically(a, "kept").ok());
  {
    AtomicFileSet set;
    ASSERT_TRUE(set.Stage(a, "replaced", 0644).ok());
    ASSERT_TRUE(set.Stage(dir_ / "b", "new", 0644).ok());
  }  // destroyed without Commit
  EXPECT_EQ(Read(a), "kept");
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(dir_), {}), 1);
}

}  // namespace
}  // namespace cellfleet::base
