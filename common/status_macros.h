#ifndef REGENATLAS_COMMON_STATUS_MACROS_H_
#define REGENATLAS_COMMON_STATUS_MACROS_H_

#include <sstream>
#include <string>
#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

// Early returns for absl::Status / absl::StatusOr, instead of hand-written
// `if (!s.ok()) return s;` ladders:
//
//   RETURN_IF_ERROR(store.Write(batch));
//   RETURN_IF_ERROR(Load(path), _ << "cannot load " << path);
//   ASSIGN_OR_RETURN(Record r, table.Get(id));
//   ASSIGN_OR_RETURN(p.store, Store::Open(options), _ << "cannot open store");
//
// The optional second argument prefixes the error's message ("context:
// message"), keeping its code; `_` is the error being returned.

namespace regenatlas::status_internal {

// Collects a context prefix for an error status.
class Prefix {
 public:
  explicit Prefix(absl::Status status) : status_(std::move(status)) {}
  template <typename T>
  Prefix& operator<<(const T& value) {
    stream_ << value;
    return *this;
  }
  operator absl::Status() const {  // NOLINT: converts where a Status is returned
    return absl::Status(status_.code(), stream_.str() + ": " + std::string(status_.message()));
  }
  // absl::StatusOr<T> converts from anything convertible to Status.

 private:
  absl::Status status_;
  std::ostringstream stream_;
};

}  // namespace regenatlas::status_internal

#define REGENATLAS_STATUS_CONCAT_INNER(a, b) a##b
#define REGENATLAS_STATUS_CONCAT(a, b) REGENATLAS_STATUS_CONCAT_INNER(a, b)

#define REGENATLAS_RETURN_IF_ERROR_1(expr)                              \
  do {                                                                  \
    if (::absl::Status _status = (expr); !_status.ok()) return _status; \
  } while (0)
#define REGENATLAS_RETURN_IF_ERROR_2(expr, context)                \
  do {                                                             \
    if (::absl::Status _status = (expr); !_status.ok()) {          \
      ::regenatlas::status_internal::Prefix _(std::move(_status)); \
      return (context);                                            \
    }                                                              \
  } while (0)
#define REGENATLAS_STATUS_PICK(_1, _2, name, ...) name
#define RETURN_IF_ERROR(...)                                        \
  REGENATLAS_STATUS_PICK(__VA_ARGS__, REGENATLAS_RETURN_IF_ERROR_2, \
                         REGENATLAS_RETURN_IF_ERROR_1, )            \
  (__VA_ARGS__)

#define REGENATLAS_ASSIGN_OR_RETURN_IMPL(tmp, lhs, rexpr, ...)               \
  auto tmp = (rexpr);                                                        \
  if (!tmp.ok()) {                                                           \
    [[maybe_unused]] ::regenatlas::status_internal::Prefix _(tmp.status());  \
    return REGENATLAS_STATUS_PICK(__VA_ARGS__, __VA_ARGS__, tmp.status(), ); \
  }                                                                          \
  lhs = std::move(tmp).value()
#define ASSIGN_OR_RETURN(lhs, ...)                                                       \
  REGENATLAS_ASSIGN_OR_RETURN_IMPL(REGENATLAS_STATUS_CONCAT(_status_or_, __LINE__), lhs, \
                                   __VA_ARGS__, )

#endif  // REGENATLAS_COMMON_STATUS_MACROS_H_
