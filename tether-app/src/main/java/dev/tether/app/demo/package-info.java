/** The small built-in backends and configuration that {@code tether demo} runs. */
package dev.tether.app.demo;
