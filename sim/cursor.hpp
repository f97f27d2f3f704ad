#pragma once
// Page cursors. A cursor encodes where the next page starts, a hash of the filters it belongs
// to and when it was issued, plus a check value so garbage is recognised (400 ADMIN-400-1).
// Paging therefore costs O(page), never a rescan from the start.
//   v2 lists: URL-safe base64 without padding (opaque token in links.next / body "cursor")
//   v1 lists: standard base64 with padding; always contains '+', '/' and '=', so clients must
//             percent-encode it in a query string.
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

namespace rosterd::sim {

enum class CursorKind : std::uint8_t {
    Users = 1,
    Groups = 2,
    Directories = 3,
    UserRoles = 4,
    GroupRoles = 5,
    Workspaces = 6,
    V1Users = 7,
    V1Orgs = 8,
};

struct CursorState {
    CursorKind kind = CursorKind::Users;
    std::uint32_t position = 0;
    std::uint64_t filter_hash = 0;
    std::int64_t issued_ms = 0;
};

class CursorCodec {
  public:
    explicit CursorCodec(std::uint64_t secret) : secret_(secret) {}

    std::string encode_v2(const CursorState& state) const;
    std::optional<CursorState> decode_v2(std::string_view token) const;
    std::string encode_v1(const CursorState& state) const;
    std::optional<CursorState> decode_v1(std::string_view token) const;

  private:
    std::string pack(const CursorState& state) const;
    std::optional<CursorState> unpack(std::string_view masked) const;
    std::uint64_t secret_;
};

// Remembers the canonical filters behind each filter hash, so a follow-up request that sends
// only a cursor (as the workspaces endpoint requires) pages through the same filters.
class FilterBook {
  public:
    void remember(std::uint64_t hash, const std::string& canonical);
    std::optional<std::string> recall(std::uint64_t hash) const;

  private:
    static constexpr std::size_t kMaxEntries = 10000;
    mutable std::mutex mutex_;
    std::unordered_map<std::uint64_t, std::string> entries_;
};

}  // namespace rosterd::sim
