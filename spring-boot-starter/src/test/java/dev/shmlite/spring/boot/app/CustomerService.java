package dev.shmlite.spring.boot.app;

import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/** Declarative transactions over JPA. */
@Service
public class CustomerService {
    private final CustomerRepository repository;

    public CustomerService(CustomerRepository repository) {
        this.repository = repository;
    }

    /** Saves every name in one transaction, or none when {@code fail} is set. */
    @Transactional
    public void saveAll(boolean fail, String... names) {
        for (String name : names) {
            repository.saveAndFlush(new Customer(name));
        }
        if (fail) {
            throw new IllegalStateException("rolled back on purpose");
        }
    }
}
