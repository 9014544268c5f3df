// The heavy headers every file of lib/api includes, precompiled once per build (Makefile:
// API_PCH), so that touching a core header does not parse them again in each API file.

#include <httplib.h>
#include <nlohmann/json.hpp>
