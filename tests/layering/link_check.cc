// Linked with every object of the domain libraries (whole archive) and
// nothing of gRPC: a domain source that uses gRPC fails this link, i.e. the
// build. See tests/layering/CMakeLists.txt.
int main() { return 0; }
