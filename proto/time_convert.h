// absl time <-> protobuf Timestamp/Duration, the one conversion every part uses.
#ifndef CELLFLEET_PROTO_TIME_CONVERT_H_
#define CELLFLEET_PROTO_TIME_CONVERT_H_

#include "absl/time/time.h"
#include "google/protobuf/duration.pb.h"
#include "google/protobuf/timestamp.pb.h"

namespace cellfleet {

google::protobuf::Timestamp ToProtoTime(absl::Time t);
absl::Time FromProtoTime(const google::protobuf::Timestamp& t);
google::protobuf::Duration ToProtoDuration(absl::Duration d);
absl::Duration FromProtoDuration(const google::protobuf::Duration& d);

}  // namespace cellfleet

#endif  // CELLFLEET_PROTO_TIME_CONVERT_H_
