#include "proto/time_convert.h"

#include "google/protobuf/util/time_util.h"

namespace cellfleet {

using google::protobuf::util::TimeUtil;

google::protobuf::Timestamp ToProtoTime(absl::Time t) {
  return TimeUtil::NanosecondsToTimestamp(absl::ToUnixNanos(t));
}

absl::Time FromProtoTime(const google::protobuf::Timestamp& t) {
  return absl::FromUnixNanos(TimeUtil::TimestampToNanoseconds(t));
}

google::protobuf::Duration ToProtoDuration(absl::Duration d) {
  return TimeUtil::NanosecondsToDuration(absl::ToInt64Nanoseconds(d));
}

absl::Duration FromProtoDuration(const google::protobuf::Duration& d) {
  return absl::Nanoseconds(TimeUtil::DurationToNanoseconds(d));
}

}  // namespace cellfleet
