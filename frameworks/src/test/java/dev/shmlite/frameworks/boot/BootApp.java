package dev.shmlite.frameworks.boot;

import org.springframework.boot.autoconfigure.SpringBootApplication;

/** A Spring Boot application with no shmlite starter on the class path. */
@SpringBootApplication
public class BootApp {}
