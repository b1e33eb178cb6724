package dev.shmlite.bench;

import org.apache.ibatis.annotations.Insert;
import org.apache.ibatis.annotations.Param;
import org.apache.ibatis.annotations.Result;
import org.apache.ibatis.annotations.Results;
import org.apache.ibatis.annotations.Select;
import org.apache.ibatis.type.ByteArrayTypeHandler;

/** The W6 MyBatis mapper: the same SQL as W1 and W2, one row at a time. */
public interface BenchMapper {
    /**
     * The blob column is read with {@code getBytes} (MyBatis would pick {@code getBlob} from the
     * column's JDBC type BLOB, which sqlite-jdbc does not implement); other columns are auto-mapped.
     */
    @Select("SELECT id, r, s, b, n FROM bench WHERE id = #{id}")
    @Results(id = "benchRow", value = {@Result(column = "b", property = "b", typeHandler = ByteArrayTypeHandler.class)})
    BenchRow selectById(@Param("id") long id);

    @Insert("INSERT INTO bench(id, r, s, b, n) VALUES (#{id}, #{r}, #{s}, #{b}, #{n,jdbcType=BIGINT})")
    int insert(BenchRow row);
}
