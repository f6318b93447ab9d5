"""Support for tests of PrepPath and of code built on it: named fakes of every provider."""
