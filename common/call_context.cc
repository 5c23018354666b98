// The thread-local current call context (common/call_context.h).

#include "common/call_context.h"

namespace regenatlas {
namespace {

thread_local const CallContext* current = nullptr;

}  // namespace

const CallContext& CallContext::Current() {
  static const CallContext* const kEmpty = new CallContext();
  return current == nullptr ? *kEmpty : *current;
}

ScopedCallContext::ScopedCallContext(const CallContext& context) : previous_(current) {
  current = &context;
}

ScopedCallContext::~ScopedCallContext() { current = previous_; }

}  // namespace regenatlas
