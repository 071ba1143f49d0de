/**
 * The property runner (generators, shrinking, seeds): no dependencies, so that sdk-api's own tests
 * can use it (docs/decisions.md D1, D23).
 */
module dev.autolowat.testkit {
    exports dev.autolowat.testkit;
}
