#include "base/task_queue.h"

namespace cellfleet::base {

TaskId TaskQueue::Add(absl::Time due, Task task) {
  const TaskId id = next_id_++;
  tasks_.emplace(Key{due, id}, std::move(task));
  due_by_id_.emplace(id, due);
  return id;
}

bool TaskQueue::Cancel(TaskId id) {
  auto found = due_by_id_.find(id);
  if (found == due_by_id_.end()) return false;
  tasks_.erase(Key{found->second, id});
  due_by_id_.erase(found);
  return true;
}

absl::Time TaskQueue::NextDue() const {
  return tasks_.empty() ? absl::InfiniteFuture() : tasks_.begin()->first.first;
}

std::optional<Task> TaskQueue::PopDue(absl::Time now) {
  if (tasks_.empty() || tasks_.begin()->first.first > now) return std::nullopt;
  auto first = tasks_.begin();
  Task task = std::move(first->second);
  due_by_id_.erase(first->first.second);
  tasks_.erase(first);
  return task;
}

std::vector<Task> TaskQueue::TakeAll() {
  std::vector<Task> all;
  all.reserve(tasks_.size());
  for (auto& [key, task] : tasks_) all.push_back(std::move(task));
  tasks_.clear();
  due_by_id_.clear();
  return all;
}

}  // namespace cellfleet::base
