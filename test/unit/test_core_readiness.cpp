#include <core/run/local_runtime.hpp>
#include <util/fd.hpp>

#include <doctest/doctest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <vector>

using namespace slipway;

namespace {

sockaddr_in
loopback(uint16_t port)
{
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = htons(port);
  return a;
}

uint16_t
port_of(int fd)
{
  sockaddr_in a{};
  socklen_t len = sizeof a;
  REQUIRE(::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) == 0);
  return ntohs(a.sin_port);
}

} // namespace

TEST_CASE("core::self_connected: a probe that reached only itself is not a dyno that accepts")
{
  // A socket bound to a port and connected to that same port connects to itself (TCP's
  // simultaneous open), as a readiness probe can when the dyno's port is in the ephemeral
  // range and nothing listens on it yet.
  util::Fd self(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  auto any = loopback(0);
  REQUIRE(::bind(self.get(), reinterpret_cast<sockaddr*>(&any), sizeof any) == 0);
  auto to = loopback(port_of(self.get()));
  REQUIRE(::connect(self.get(), reinterpret_cast<sockaddr*>(&to), sizeof to) == 0);
  CHECK(core::self_connected(self.get()));

  util::Fd server(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  REQUIRE(::bind(server.get(), reinterpret_cast<sockaddr*>(&any), sizeof any) == 0);
  REQUIRE(::listen(server.get(), 1) == 0);
  util::Fd client(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  auto listening = loopback(port_of(server.get()));
  REQUIRE(::connect(client.get(), reinterpret_cast<sockaddr*>(&listening), sizeof listening) == 0);
  CHECK(!core::self_connected(client.get()));
}

TEST_CASE("core::listening_users: who listens on a port, so that another user's listener is never taken for a dyno")
{
  util::Fd server(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  auto any = loopback(0);
  REQUIRE(::bind(server.get(), reinterpret_cast<sockaddr*>(&any), sizeof any) == 0);
  uint16_t port = port_of(server.get());
  CHECK(core::listening_users(port).empty()); // bound, not listening
  REQUIRE(::listen(server.get(), 1) == 0);
  CHECK(core::listening_users(port) == std::vector<uid_t>{::geteuid()});
  server.reset();
  CHECK(core::listening_users(port).empty());
}
