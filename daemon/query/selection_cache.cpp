#include "selection_cache.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <iterator>

namespace rosterd::query {

const CachedSelection* SelectionCache::find(const std::string& key, std::int64_t now_ms) {
    for (auto it = entries_.begin(); it != entries_.end(); ++it) {
        // An entry whose index a sync let go is of no use: asking again must go through wait(),
        // or every question after a sync would compute the same selection beside the others.
        if (it->key != key || it->index.expired() || now_ms < it->from_ms || now_ms >= it->until_ms)
            continue;
        // Most recently used first: a handful of hot questions stay, whatever their age.
        std::rotate(entries_.begin(), it, std::next(it));
        return &entries_.front();
    }
    return nullptr;
}

void SelectionCache::remember(CachedSelection selection) {
    // One entry per key: the newest window replaces an older one.
    entries_.erase(std::remove_if(entries_.begin(), entries_.end(),
                                  [&](const auto& e) { return e.key == selection.key; }),
                   entries_.end());
    entries_.push_front(std::move(selection));
    while (entries_.size() > kEntries)
        entries_.pop_back();
}

bool SelectionCache::wait(const std::string& key, std::function<void()> retry) {
    auto [it, first] = computing_.try_emplace(key);
    if (first)
        return false;
    it->second.push_back(std::move(retry));
    return true;
}

void SelectionCache::computed(const std::string& key) {
    auto it = computing_.find(key);
    if (it == computing_.end())
        return;
    auto waiting = std::move(it->second);
    computing_.erase(it);
    // One retry failing must not strand the others (they run outside any command's try).
    for (auto& retry : waiting) {
        try {
            retry();
        } catch (const std::exception& e) {
            spdlog::warn("query: a waiting users question failed: {}", e.what());
        }
    }
}

}  // namespace rosterd::query
