/**
 * A small property-based testing kit with no dependencies, for the SDK's own tests and for policy
 * authors: {@link dev.autolowat.testkit.Gen} generators built from recorded
 * {@link dev.autolowat.testkit.Choices} draws, which shrink by editing the recording, and
 * {@link dev.autolowat.testkit.Property}, which checks a property, shrinks a failure and reports the
 * seed. The project does not use jqwik ({@code docs/decisions.md}, D1).
 */
package dev.autolowat.testkit;
