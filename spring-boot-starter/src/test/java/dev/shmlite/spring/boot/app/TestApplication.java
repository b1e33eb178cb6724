package dev.shmlite.spring.boot.app;

import org.springframework.boot.autoconfigure.SpringBootApplication;

/** A plain Spring Boot application: JDBC, Flyway, JPA, jOOQ and Actuator, configured by URL. */
@SpringBootApplication
public class TestApplication {}
