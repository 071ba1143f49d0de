/**
 * The conformance suite's property runner: {@link dev.autolowat.conformance.prop.Gen} generators built
 * from recorded {@link dev.autolowat.conformance.prop.Choices} draws, which shrink by editing the
 * recording, and {@link dev.autolowat.conformance.prop.Property}, which returns its outcome as a value.
 *
 * <p>One copy of sdk-api's {@code dev.autolowat.testkit} runner (a test-jar, not on the main class
 * path), kept here because the report command generates and shrinks scenarios at run time. The project
 * does not use jqwik (docs/decisions.md, D1). Other modules' tests keep using the testkit; this
 * module's code and tests use this package.
 */
package dev.autolowat.conformance.prop;
