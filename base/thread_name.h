// Names the calling thread, as top -H, gdb and /proc/<pid>/task/*/comm show it.
#ifndef CELLFLEET_BASE_THREAD_NAME_H_
#define CELLFLEET_BASE_THREAD_NAME_H_

#include <pthread.h>

#include <string>

namespace cellfleet::base {

inline void NameThisThread(const std::string& name) {
  pthread_setname_np(pthread_self(), name.substr(0, 15).c_str());  // Linux: 15 characters
}

}  // namespace cellfleet::base

#endif  // CELLFLEET_BASE_THREAD_NAME_H_
