#include "base/file_contents.h"

#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace cellfleet::base {
namespace {

using ::testing::HasSubstr;

TEST(FileContentsTest, ReadsAFileAndSaysWhyNotWhenItCannot) {
  const std::string dir = ::testing::TempDir() + "/file-contents-" + std::to_string(::getpid());
  std::filesystem::create_directories(dir);
  const std::string file = dir + "/fleet.yaml";
  std::ofstream(file) << "boards: []\n";
  absl::StatusOr<std::string> read = ReadFileContents(file, "inventory");
  ASSERT_TRUE(read.ok()) << read.status();  // positive control
  EXPECT_EQ(*read, "boards: []\n");

  absl::StatusOr<std::string> missing = ReadFileContents(dir + "/nope.yaml", "inventory");
  EXPECT_EQ(missing.status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(missing.status().message(),
            "cannot read inventory " + dir + "/nope.yaml: No such file or directory");
  absl::StatusOr<std::string> directory = ReadFileContents(dir);
  EXPECT_EQ(directory.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(directory.status().message(), "cannot read " + dir + ": Is a directory");
  if (::geteuid() != 0) {  // root reads whatever the mode says
    ::chmod(file.c_str(), 0);
    EXPECT_EQ(ReadFileContents(file).status().code(), absl::StatusCode::kPermissionDenied);
    EXPECT_THAT(ReadFileContents(file).status().message(), HasSubstr(": Permission denied"));
  }
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace cellfleet::base
