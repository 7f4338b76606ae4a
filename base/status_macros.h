// Early-return helpers for absl::Status, which Debian's Abseil 20220623 lacks.
#ifndef CELLFLEET_BASE_STATUS_MACROS_H_
#define CELLFLEET_BASE_STATUS_MACROS_H_

#include "absl/status/status.h"
#include "absl/status/statusor.h"

#define CF_STATUS_CONCAT_INNER_(a, b) a##b
#define CF_STATUS_CONCAT_(a, b) CF_STATUS_CONCAT_INNER_(a, b)

#define RETURN_IF_ERROR(expr)                \
  do {                                       \
    ::absl::Status cf_status_ = (expr);      \
    if (!cf_status_.ok()) return cf_status_; \
  } while (false)

#define CF_ASSIGN_OR_RETURN_IMPL_(tmp, lhs, expr) \
  auto tmp = (expr);                              \
  if (!tmp.ok()) return tmp.status();             \
  lhs = std::move(tmp).value()

#define ASSIGN_OR_RETURN(lhs, expr) \
  CF_ASSIGN_OR_RETURN_IMPL_(CF_STATUS_CONCAT_(cf_statusor_, __LINE__), lhs, expr)

#endif  // CELLFLEET_BASE_STATUS_MACROS_H_
