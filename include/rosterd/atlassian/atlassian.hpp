#pragma once
// The Atlassian Admin API client in one include: value types, pure parsers, retry policy, client.
#include "rosterd/atlassian/client.hpp"
#include "rosterd/atlassian/parse.hpp"
#include "rosterd/atlassian/policy.hpp"
#include "rosterd/atlassian/types.hpp"
