#include "base/byte_units.h"

#include "gtest/gtest.h"

namespace cellfleet::base {
namespace {

TEST(FormatBytesTest, DecimalUnitsWithThreeDigits) {
  EXPECT_EQ(FormatBytes(0), "0 B");
  EXPECT_EQ(FormatBytes(999), "999 B");
  EXPECT_EQ(FormatBytes(1000), "1.00 kB");
  EXPECT_EQ(FormatBytes(15'240), "15.2 kB");
  EXPECT_EQ(FormatBytes(999'499), "999 kB");
  EXPECT_EQ(FormatBytes(999'500), "1.00 MB");
  EXPECT_EQ(FormatBytes(1'500'000'000), "1.50 GB");
  EXPECT_EQ(FormatBytes(UINT64_MAX), "18.4 EB");
}

TEST(ParseBytesTest, UnitsAndErrors) {
  EXPECT_EQ(*ParseBytes("1000"), 1000u);
  EXPECT_EQ(*ParseBytes("500MB"), 500'000'000u);
  EXPECT_EQ(*ParseBytes("1.5 GB"), 1'500'000'000u);
  EXPECT_EQ(*ParseBytes("2GiB"), 2u << 30);
  EXPECT_EQ(*ParseBytes(" 64k "), 64'000u);
  EXPECT_EQ(ParseBytes("lots").status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ParseBytes("5 parsecs").status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ParseBytes("-1GB").status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ParseBytes("99999999999TB").status().code(), absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace cellfleet::base
