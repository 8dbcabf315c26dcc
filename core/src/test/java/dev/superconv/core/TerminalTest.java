package dev.superconv.core;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class TerminalTest {
    @AfterEach
    void clear() {
        System.clearProperty(Terminal.STDERR_PROPERTY);
    }

    @Test
    void theLaunchersWordWins() {
        System.setProperty(Terminal.STDERR_PROPERTY, "true");
        assertTrue(Terminal.stderr());
        System.setProperty(Terminal.STDERR_PROPERTY, "false");
        assertFalse(Terminal.stderr());
    }

    @Test
    void withoutItStderrIsAskedAndATestForksStderrIsAPipe() {
        assertFalse(Terminal.stderr(), "surefire reads the fork's stderr through a pipe");
        assertFalse(Terminal.isatty(-1), "no such descriptor");
    }
}
